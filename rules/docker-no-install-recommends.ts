import { defineRule } from '../server/engine/rule';
import { commandRange, commandsOf, hasFlag, insertAfterWord, packageCommand, shippedStages, stageChain } from './lib/docker';
import type { DfFile, DfStage } from '../server/engine/dockerfile/model';
import { mapDense } from '../server/engine/arrays';

const FLAG = '--no-install-recommends';

/** `-o APT::Install-Recommends=false` (or `0`, `no`, `off`) among the command's words. */
function optionOff(words: string[]): boolean {
  return words.some((w, k) => {
    const opt = w.startsWith('-o') && w.length > 2 ? w.slice(2).replace(/^=/, '') : w === '-o' || w === '--option' ? words[k + 1] ?? '' : w.startsWith('--option=') ? w.slice(9) : '';
    return /^APT::Install-Recommends=["']?(0|false|no|off)["']?$/i.test(opt);
  });
}

/** A RUN of the stage (or a stage it is built FROM) before `upTo` writes `APT::Install-Recommends "0"` into apt's configuration. */
function configuredOff(df: DfFile, stage: DfStage, upTo: number): boolean {
  return stageChain(df, stage).some((s) =>
    s.instructions.some((i) =>
      i.keyword === 'RUN' && i.range.start < upTo && /APT::Install-Recommends\s*(=\s*)?\\?["']?(0|false|no|off)\b/i.test(i.argsText),
    ),
  );
}

export default defineRule({
  id: 'docker-no-install-recommends',
  severity: 'warning',
  seed: '000 ECR: DO create and push only minimal images by removing all extraneous binaries or dependencies',
  description: 'apt-get install in a shipped stage must pass --no-install-recommends, so recommended packages do not end up in the image.',
  fixable: 'exact',

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    for (const stage of shippedStages(df)) {
      for (const instr of stage.instructions) {
        for (const c of commandsOf(df, stage, instr)) {
          const p = packageCommand(c);
          if (!p || p.manager !== 'apt' || p.sub !== 'install' || !p.subWord) continue;
          if (hasFlag(p, FLAG) || optionOff(mapDense(p.args, (w) => w.text))) continue;
          if (configuredOff(df, stage, instr.range.start)) continue;
          ctx.report({
            range: commandRange(c),
            resource: stage.name,
            message: `\`${p.tool} install\` without \`${FLAG}\` also installs every recommended package; add the flag so only the named packages and their dependencies reach the image.`,
            fixes: [ctx.fix(`Add ${FLAG}`, [insertAfterWord(df, c, p.subWord, FLAG)])],
          });
        }
      }
    }
  },
});
