import { defineRule, type DfContext } from '../server/engine/rule';
import { indentUnit } from '../server/engine/terraform/edit';
import type { TfBlock, TfFile, TfReference } from '../server/engine/terraform/model';
import type { FileEdits, Fix, OffsetRange, TextEdit } from '../server/engine/types';
import type { DfFile, DfStage } from '../server/engine/dockerfile/model';
import { offsetRange, textEdit } from '../server/engine/offsetRange';

/** tflint's `snake_case` format: lower case words of letters and digits joined by single underscores. */
const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** What a name declares; names of one kind share a namespace (`scope` narrows it, e.g. to a resource type). */
type Kind = 'resource' | 'data' | 'ephemeral' | 'module' | 'variable' | 'output' | 'local';

interface Declaration {
  kind: Kind;
  /** Resource / data source type for resources, data sources and ephemeral resources; '' otherwise. */
  scope: string;
  name: string;
  /** The name's text (without quotes). */
  range: OffsetRange;
  file: TfFile;
  /** The declaring block (the `locals` block for a local). */
  block: TfBlock;
}

const LABEL_OF: Partial<Record<string, { kind: Kind; index: number }>> = {
  resource: { kind: 'resource', index: 1 },
  data: { kind: 'data', index: 1 },
  ephemeral: { kind: 'ephemeral', index: 1 },
  module: { kind: 'module', index: 0 },
  variable: { kind: 'variable', index: 0 },
  output: { kind: 'output', index: 0 },
};

const NOUN: Record<Kind, string> = {
  resource: 'Resource name',
  data: 'Data source name',
  ephemeral: 'Ephemeral resource name',
  module: 'Module name',
  variable: 'Variable name',
  output: 'Output name',
  local: 'Local value name',
};

function declarationsOf(file: TfFile): Declaration[] {
  const out: Declaration[] = [];
  for (const block of file.blocks) {
    const spec = LABEL_OF[block.type];
    if (spec) {
      const label = block.labels[spec.index];
      if (!label) continue;
      const scope = spec.index === 1 ? block.labels[0].value : '';
      out.push({ kind: spec.kind, scope, name: label.value, range: label.range, file, block });
    } else if (block.type === 'locals') {
      for (const a of block.attributes) out.push({ kind: 'local', scope: '', name: a.name, range: a.nameRange, file, block });
    }
  }
  return out;
}

/**
 * `WebServer` -> `web_server`, `HTTPServer` -> `http_server`, `my-bucket` -> `my_bucket`.
 * Other characters outside ASCII letters and digits separate words and are dropped.
 */
export function toSnakeCase(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // accents: `Ü` -> `U`
    .replace(/ß/g, 'ss')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase()
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

function address(d: { kind: Kind; scope: string }, name: string): string {
  switch (d.kind) {
    case 'resource': return `${d.scope}.${name}`;
    case 'data': return `data.${d.scope}.${name}`;
    case 'ephemeral': return `ephemeral.${d.scope}.${name}`;
    case 'module': return `module.${name}`;
    case 'variable': return `var.${name}`;
    case 'output': return `output.${name}`;
    case 'local': return `local.${name}`;
  }
}

/** The part of a reference that names `d`, if the reference points at it. */
function namePart(d: Declaration, ref: TfReference): OffsetRange | undefined {
  const p = ref.parts;
  switch (d.kind) {
    case 'resource':
      return p[0] === d.scope && p[1] === d.name ? ref.partRanges[1] : undefined;
    case 'data':
    case 'ephemeral':
      return p[0] === d.kind && p[1] === d.scope && p[2] === d.name ? ref.partRanges[2] : undefined;
    case 'module':
      return p[0] === 'module' && p[1] === d.name ? ref.partRanges[1] : undefined;
    case 'variable':
      return p[0] === 'var' && p[1] === d.name ? ref.partRanges[1] : undefined;
    case 'local':
      return p[0] === 'local' && p[1] === d.name ? ref.partRanges[1] : undefined;
    case 'output':
      return undefined; // outputs are read by the caller of the module, not inside it
  }
}

function inside(r: OffsetRange, outer: OffsetRange): boolean {
  return r.start >= outer.start && r.end <= outer.end;
}

/**
 * Where a reference sits with respect to `moved` / `removed` blocks, which record
 * history: `from` names an address that used to exist.
 */
function historyRole(file: TfFile, ref: TfReference): 'from' | 'moved-to' | null {
  for (const b of file.blocks) {
    if ((b.type !== 'moved' && b.type !== 'removed') || !inside(ref.range, b.range)) continue;
    const to = b.attr('to');
    return b.type === 'moved' && to && inside(ref.range, to.range) ? 'moved-to' : 'from';
  }
  return null;
}

/** Whether every name `declarationsOf(file)` lists is lower snake_case (the same names, read in place). */
function allSnakeCase(file: TfFile): boolean {
  for (const block of file.blocks) {
    const spec = LABEL_OF[block.type];
    if (spec) {
      const label = block.labels[spec.index];
      if (label && !SNAKE_CASE.test(label.value)) return false;
    } else if (block.type === 'locals') {
      for (const a of block.attributes) if (!SNAKE_CASE.test(a.name)) return false;
    }
  }
  return true;
}

/**
 * The edits renaming `d` to `newName` in every file of the module. With
 * `recordMove`, moved/removed blocks are left as they are (a new `moved` block
 * continues any chain); without it, a `moved` block's `to` follows the rename.
 */
function renameEdits(files: readonly TfFile[], d: Declaration, newName: string, recordMove: boolean): FileEdits[] {
  const changes: FileEdits[] = [];
  for (const file of files) {
    const edits: TextEdit[] = [];
    if (file.path === d.file.path) edits.push(declarationEdit(file, d, newName));
    for (const ref of file.references) {
      const part = namePart(d, ref);
      if (!part) continue;
      const role = historyRole(file, ref);
      if (role === 'from' || (role === 'moved-to' && recordMove)) continue;
      edits.push({ ...part, newText: newName });
    }
    if (recordMove && file.path === d.file.path) edits.push(movedBlock(file, d, newName));
    if (edits.length) changes.push({ path: file.path, edits });
  }
  return changes;
}

/**
 * Renames the declared name. A local in an `=`-aligned group keeps its `=` in
 * place when the spaces allow, so the group stays aligned.
 */
function declarationEdit(file: TfFile, d: Declaration, newName: string): TextEdit {
  if (d.kind === 'local') {
    const m = /^ +(?==)/.exec(file.text.slice(d.range.end, d.range.end + 200));
    if (m && m[0].length > 1) {
      const pad = Math.max(1, d.name.length + m[0].length - newName.length);
      return textEdit(d.range.start, d.range.end + m[0].length, newName + ' '.repeat(pad));
    }
  }
  return { ...d.range, newText: newName };
}

/** A `moved` block after the declaration's block, so Terraform moves the state instead of replacing the infrastructure. */
function movedBlock(file: TfFile, d: Declaration, newName: string): TextEdit {
  const eol = file.lines.eol;
  const unit = indentUnit(file);
  // After the rest of the closing brace's line, so a trailing comment stays with its block.
  const at = file.lines.lineEnd(file.lines.offsetToPosition(d.block.closeBrace).line);
  const text = [
    '',
    '',
    'moved {',
    `${unit}from = ${address(d, d.name)}`,
    `${unit}to   = ${address(d, newName)}`,
    '}',
  ].join(eol);
  return textEdit(at, at, text);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every place that names `stage`: its `AS` name, `FROM <stage>`, `COPY`/`ADD
 * --from=<stage>` and `RUN --mount=...,from=<stage>` (names compare
 * case-insensitively, as Docker does). `opaque` counts references written with
 * variables, which a rename cannot follow.
 */
function stageReferences(df: DfFile, stage: DfStage): { ranges: OffsetRange[]; opaque: number } {
  const name = stage.name!.toLowerCase();
  const ranges: OffsetRange[] = [stage.nameRange!];
  let opaque = 0;
  for (const s of df.stages) {
    if (s.index > stage.index && s.parentStage !== null && s.parentStage.toLowerCase() === name) {
      if (s.image.raw.toLowerCase() === name) ranges.push(s.image.range);
      else opaque++;
    }
    for (const i of s.instructions) {
      for (const f of i.flags) {
        if (f.value === null || !f.valueRange) continue;
        const flag = f.name.toLowerCase();
        if (flag === 'from' && (i.keyword === 'COPY' || i.keyword === 'ADD')) {
          if (f.value.toLowerCase() === name) ranges.push(f.valueRange);
          else if (f.value.includes('$')) opaque++;
        } else if (flag === 'mount' && i.keyword === 'RUN') {
          const written = df.text.slice(f.valueRange.start, f.valueRange.end);
          const re = new RegExp(`(^|,)from=(${escapeRe(stage.name!)})(?=,|$)`, 'gi');
          for (const m of written.matchAll(re)) {
            const start = f.valueRange.start + (m.index ?? 0) + m[1].length + 'from='.length;
            ranges.push(offsetRange(start, start + m[2].length));
          }
          if (/(^|,)from=[^,]*\$/.test(written)) opaque++;
        }
      }
    }
  }
  return { ranges, opaque };
}

function dockerfileStages(ctx: DfContext): void {
  const df = ctx.dockerfile;
  const finals = df.stages.map((s) => (s.name === null ? null : SNAKE_CASE.test(s.name) ? s.name : toSnakeCase(s.name)));
  for (const stage of df.stages) {
    if (stage.name === null || stage.nameRange === null || SNAKE_CASE.test(stage.name)) continue;
    const newName = toSnakeCase(stage.name);
    const fixes: Fix[] = [];
    let note: string;
    if (!/^[a-z]/.test(newName)) {
      note = '; rename it by hand';
    } else if (finals.filter((n) => n !== null && n.toLowerCase() === newName).length > 1) {
      note = `; another stage is or would become "${newName}", so rename it by hand`;
    } else {
      const { ranges, opaque } = stageReferences(df, stage);
      const edits: TextEdit[] = ranges.map((r) => ({ ...r, newText: newName }));
      const lossy = /[^A-Za-z0-9_\-. ]/.test(stage.name);
      const refs = ranges.length - 1;
      // Docker matches stage names (and `--target`) without regard to case, so a
      // change of case alone breaks nothing outside this file. Any other rename
      // breaks `--target <old>` in build scripts and compose files, which this
      // file does not show: the user reviews it. So does a reference through a variable.
      const caseOnly = newName === stage.name.toLowerCase();
      const title = `Rename stage ${stage.name} to ${newName}${refs ? ` and ${refs} reference${refs > 1 ? 's' : ''}` : ''}${caseOnly ? '' : ' (update any --target naming it)'}`;
      fixes.push(opaque > 0 || lossy || !caseOnly ? ctx.suggest(title, edits) : ctx.fix(title, edits));
      note = `; use "${newName}"${opaque > 0 ? ' (a reference through a variable must be renamed by hand)' : ''}`;
    }
    ctx.report({
      range: stage.nameRange,
      resource: stage.name,
      message: `Stage name "${stage.name}" is not lower snake_case${note}.`,
      fixes,
    });
  }
}

export default defineRule({
  id: 'naming-snake-case',
  severity: 'warning',
  description: 'Terraform names (resource, data source, module, variable, output and local value names) and Dockerfile stage names are lower snake_case.',
  seed: '000 Naming: DO employ complete names but with standard acronyms and in all lower cases snake case',
  fixable: 'exact',
  reads: { terraform: '*' },

  terraform(ctx) {
    // Most files declare only snake_case names: checked in place, no declarations listed.
    if (allSnakeCase(ctx.file)) return;
    const own = declarationsOf(ctx.file);

    const files = ctx.module.files.some((f) => f.path === ctx.file.path)
      ? ctx.module.files.map((f) => (f.path === ctx.file.path ? ctx.file : f))
      : [ctx.file, ...ctx.module.files];
    const all = files.flatMap(declarationsOf);
    // How many declarations of a namespace would end up with each name.
    const taken = new Map<string, number>();
    for (const d of all) {
      const final = SNAKE_CASE.test(d.name) ? d.name : toSnakeCase(d.name);
      const key = `${d.kind} ${d.scope} ${final}`;
      taken.set(key, (taken.get(key) ?? 0) + 1);
    }

    for (const d of own) {
      if (SNAKE_CASE.test(d.name)) continue;
      const newName = toSnakeCase(d.name);
      const oldAddress = address(d, d.name);
      const newAddress = address(d, newName);
      const fixes: Fix[] = [];
      let note = '';
      if (!/^[a-z]/.test(newName)) {
        note = '; rename it by hand';
      } else if ((taken.get(`${d.kind} ${d.scope} ${newName}`) ?? 0) > 1) {
        const exists = all.some((o) => o.kind === d.kind && o.scope === d.scope && o.name === newName);
        const what = NOUN[d.kind].replace(/ name$/, '').toLowerCase();
        note = exists
          ? `; ${newAddress} already exists, so rename it by hand`
          : `; another ${what} would also become "${newName}", so rename it by hand`;
      } else {
        // Non-ASCII letters are dropped by the conversion: let the user review that.
        const lossy = /[^A-Za-z0-9_\- ]/.test(d.name);
        const kind = lossy ? 'suggestion' : 'exact';
        const title = `Rename ${oldAddress} to ${newAddress}`;
        if (d.kind === 'resource' || d.kind === 'module') {
          fixes.push({ title: `${title} (and add a moved block)`, kind, changes: renameEdits(files, d, newName, true) });
          fixes.push({ title: `${title} without a moved block (never applied yet)`, kind: 'suggestion', changes: renameEdits(files, d, newName, false) });
        } else if (d.kind === 'variable' || d.kind === 'output') {
          // Callers, tfvars files and remote state readers outside this folder use the name.
          const outside = d.kind === 'variable' ? 'module callers, tfvars and TF_VAR_ settings' : 'readers of the output';
          fixes.push({ title: `${title} (update ${outside} by hand)`, kind: 'suggestion', changes: renameEdits(files, d, newName, false) });
        } else {
          fixes.push({ title, kind, changes: renameEdits(files, d, newName, false) });
        }
        note = `; use "${newName}"`;
      }
      ctx.report({
        range: d.range,
        resource: oldAddress,
        message: `${NOUN[d.kind]} "${d.name}" is not lower snake_case${note}.`,
        fixes,
      });
    }
  },

  dockerfile(ctx) {
    dockerfileStages(ctx);
  },
});
