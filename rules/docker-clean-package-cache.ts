import { defineRule, type DfContext } from '../server/engine/rule';
import type { DfInstruction } from '../server/engine/dockerfile/model';
import type { ShellCommand } from '../server/engine/dockerfile/shell';
import type { Fix } from '../server/engine/types';
import {
  appendToChain,
  commandRange,
  commandsOf,
  environmentAt,
  hasFlag,
  insertAfterWord,
  mountKeepsOut,
  packageCommand,
  removedPaths,
  shippedStages,
  type PackageCommand,
} from './lib/docker';

const APT_LISTS = '/var/lib/apt/lists';
/** yum/dnf subcommands that download metadata or packages into /var/cache. */
const YUM_FILLS = /^(install|in|reinstall|localinstall|groupinstall|update|upgrade|up|update-minimal|upgrade-minimal|downgrade|distro-sync|makecache|swap|builddep|module)$/;
const PIP_CACHE = /(^|\/)\.cache(\/pip)?$/;

/** `pip cache purge`, `apt-get distclean`, `yum clean all` ... */
function cleans(p: PackageCommand | null, what: 'apt' | 'yum' | 'pip'): boolean {
  if (!p) return false;
  const ops = p.operands.map((w) => w.text.toLowerCase());
  if (what === 'apt') return p.manager === 'apt' && (p.sub === 'distclean' || p.sub === 'dist-clean');
  if (what === 'yum') return p.manager === 'yum' && p.sub === 'clean' && ops.includes('all');
  return p.manager === 'pip' && p.sub === 'cache' && (ops[0] === 'purge' || ops[0] === 'remove');
}

const removes = (c: ShellCommand, test: (path: string) => boolean) => removedPaths(c).some(test);

/** A PIP_NO_CACHE_DIR that pip accepts: any boolean word disables the cache (pip keeps its historical quirk). */
const PIP_BOOL = /^(1|0|y|n|yes|no|t|f|true|false|on|off)$/i;

export default defineRule({
  id: 'docker-clean-package-cache',
  severity: 'warning',
  seed: '000 ECR: DO create and push only minimal images by removing all extraneous binaries or dependencies',
  description: 'Package manager caches (apt lists, apk index, yum/dnf metadata, pip wheels) must not stay in a shipped layer: clean them in the same RUN, skip them, or use a cache mount.',
  fixable: 'exact',

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    for (const stage of shippedStages(df)) {
      for (const instr of stage.instructions) {
        const commands = commandsOf(df, stage, instr);
        if (commands.length === 0) continue;
        const pkgs = commands.map(packageCommand);
        const after = (k: number, test: (c: ShellCommand, p: PackageCommand | null) => boolean) =>
          commands.some((c, j) => j > k && test(c, pkgs[j]));

        // apt: the lists downloaded by `apt-get update` (or add-apt-repository).
        const aptFills = commands
          .map((c, k) => ({ c, k, p: pkgs[k] }))
          .filter(({ c, p }) => (p?.manager === 'apt' && p.sub === 'update') || /(^|\/)add-apt-repository$/.test(c.argv[0]?.text ?? ''));
        if (aptFills.length > 0 && !mountKeepsOut(instr, [APT_LISTS])) {
          const lastFill = aptFills[aptFills.length - 1];
          const cleaned = after(lastFill.k, (c, p) => cleans(p, 'apt') || removes(c, (x) => x === APT_LISTS || x === '/var/lib/apt'));
          if (!cleaned) {
            // Remove the lists after the last apt command of the RUN.
            const lastApt = [...commands.keys()].filter((k) => pkgs[k]?.manager === 'apt' || k === lastFill.k).pop()!;
            ctx.report({
              range: commandRange(lastFill.c),
              resource: stage.name,
              message: `\`${lastFill.p ? `${lastFill.p.tool} update` : 'add-apt-repository'}\` downloads package lists that stay in the layer: remove them in the same RUN (\`rm -rf ${APT_LISTS}/*\`) or use a cache mount.`,
              fixes: chainFix(ctx, instr, commands[lastApt], `rm -rf ${APT_LISTS}/*`, `Remove ${APT_LISTS}/* at the end of the RUN`),
            });
          }
        }

        // yum / dnf: metadata and packages under /var/cache/yum|dnf.
        const yumFills = commands.map((c, k) => ({ c, k, p: pkgs[k] })).filter(({ p }) => p?.manager === 'yum' && YUM_FILLS.test(p.sub ?? ''));
        if (yumFills.length > 0 && !mountKeepsOut(instr, ['/var/cache/yum', '/var/cache/dnf', '/var/cache/libdnf5'])) {
          const last = yumFills[yumFills.length - 1];
          const cleaned = after(last.k, (c, p) => cleans(p, 'yum') || removes(c, (x) => /^\/var\/cache(\/(yum|dnf|libdnf5))?$/.test(x)));
          if (!cleaned) {
            const first = yumFills[0];
            const tool = last.p!.tool;
            ctx.report({
              range: commandRange(first.c),
              resource: stage.name,
              message: `\`${tool} ${first.p!.sub}\` leaves its metadata and package cache in the layer: run \`${tool} clean all\` in the same RUN or use a cache mount.`,
              fixes: chainFix(ctx, instr, last.c, `${last.p!.program} clean all`, `Run ${tool} clean all at the end of the RUN`),
            });
          }
        }

        for (let k = 0; k < commands.length; k++) {
          const c = commands[k];
          const p = pkgs[k];
          if (!p) continue;
          // apk: `apk add` keeps the index in /var/cache/apk unless told --no-cache.
          if (p.manager === 'apk' && (p.sub === 'add' || p.sub === 'upgrade') && p.subWord) {
            if (hasFlag(p, '--no-cache')) continue;
            if (mountKeepsOut(instr, ['/var/cache/apk', '/etc/apk/cache'])) continue;
            if (after(k, (x) => removes(x, (d) => d === '/var/cache/apk' || d === '/var/cache'))) continue;
            ctx.report({
              range: commandRange(c),
              resource: stage.name,
              message: `\`apk ${p.sub}\` without \`--no-cache\` keeps the package index in /var/cache/apk; add \`--no-cache\`.`,
              fixes: [ctx.fix('Add --no-cache', [insertAfterWord(df, c, p.subWord, '--no-cache')])],
            });
          }
          // pip: downloaded and built wheels in ~/.cache/pip.
          if (p.manager === 'pip' && p.sub === 'install' && p.subWord) {
            if (hasFlag(p, '--no-cache-dir')) continue;
            if (pipCacheOff(df, stage, instr, c)) continue;
            if (after(k, (x, q) => cleans(q, 'pip') || removes(x, (d) => PIP_CACHE.test(d)))) continue;
            ctx.report({
              range: commandRange(c),
              resource: stage.name,
              message: '`pip install` without `--no-cache-dir` keeps downloaded and built wheels in ~/.cache/pip; add `--no-cache-dir`.',
              fixes: [ctx.fix('Add --no-cache-dir', [insertAfterWord(df, c, p.subWord, '--no-cache-dir')])],
            });
          }
        }
      }
    }

    function pipCacheOff(df_: typeof df, stage: (typeof df.stages)[number], instr: DfInstruction, c: ShellCommand): boolean {
      const inline = c.assignments.find((a) => a.name === 'PIP_NO_CACHE_DIR');
      if (inline) return PIP_BOOL.test(inline.value);
      const env = environmentAt(df_, stage, instr);
      const v = env.get('PIP_NO_CACHE_DIR');
      if (v !== undefined && v !== null && PIP_BOOL.test(v)) return true;
      const dir = env.get('PIP_CACHE_DIR');
      return mountKeepsOut(instr, [/(^|\/)\.cache(\/pip)?$/, ...(dir ? [dir.replace(/\/+$/, '')] : [])]);
    }
  },
});

/** The fix appending `cmd` to the and-or list of `last`: exact in shell form at top level, none in exec form. */
function chainFix(ctx: DfContext, _instr: DfInstruction, last: ShellCommand, cmd: string, title: string): Fix[] {
  if (last.form !== 'shell') return [];
  const edit = appendToChain(ctx.dockerfile, last, cmd);
  return [last.topLevel ? ctx.fix(title, [edit]) : ctx.suggest(title, [edit])];
}
