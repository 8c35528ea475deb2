import { defineRule } from '../server/engine/rule';
import type { Fix } from '../server/engine/types';
import { commandRange, commandsOf, mayRunAptInstall, packageCommand, stageShellDeps } from './lib/docker';
import type { ShellCommand } from '../server/engine/dockerfile/shell';
import { textEdit } from '../server/engine/offsetRange';

/** Commands that refresh apt's package lists. */
function refreshesAptLists(c: ShellCommand): boolean {
  const p = packageCommand(c);
  if (p && p.manager === 'apt') return p.sub === 'update';
  // add-apt-repository refreshes the lists itself unless told not to.
  const argv = c.argv.map((w) => w.text);
  return /(^|\/)add-apt-repository$/.test(argv[0] ?? '') && !argv.some((a) => a === '-n' || a === '--no-update');
}

export default defineRule({
  id: 'docker-update-with-install',
  severity: 'warning',
  seed: '000 ECR: DO regularly update the packages in container images.',
  description: 'apt-get install must run after apt-get update in the same RUN, so packages come from fresh package lists and not from a stale cached layer.',
  fixable: 'exact',

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    for (const stage of df.stages) {
      // Findings of a stage depend on its text and the shell it runs in: a keystroke re-checks one stage.
      ctx.memo(stage.range, stageShellDeps(df, stage), () => {
        for (const instr of stage.instructions) {
          // Only an apt install is reported: a RUN that cannot hold one need not be read as shell.
          if (!mayRunAptInstall(instr)) continue;
          const commands = commandsOf(df, stage, instr);
          let refreshed = false;
          for (const c of commands) {
            if (refreshesAptLists(c)) {
              refreshed = true;
              continue;
            }
            const p = packageCommand(c);
            if (!p || p.manager !== 'apt' || p.sub !== 'install' || refreshed) continue;
            const fixes: Fix[] = [];
            if (c.form === 'shell') {
              // Run the update just before the install's pipeline, through the same privilege wrapper.
              const sudo = c.wrappers.find((w) => w.text === 'sudo' || w.text === 'doas');
              const edit = textEdit(c.element.start, c.element.start, `${sudo ? `${sudo.text} ` : ''}apt-get update && `);
              const title = 'Run apt-get update before the install, in the same RUN';
              // After `||` (or inside if/while/...) the inserted `&&` would change what runs when.
              fixes.push(c.connector === '||' ? ctx.suggest(title, [edit]) : ctx.fix(title, [edit]));
            }
            ctx.report({
              range: commandRange(c),
              resource: stage.name,
              message: `\`${p.tool} install\` runs without \`apt-get update\` in the same RUN: it installs from package lists cached in an earlier layer (or none at all), so it can fail or install stale, unpatched versions. Update and install in one RUN.`,
              fixes,
            });
          }
        }
      });
    }
  },
});
