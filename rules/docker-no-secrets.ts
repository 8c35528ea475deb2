import { defineRule, type DfContext } from '../server/engine/rule';
import type { DfFile, DfInstruction, DfProperty } from '../server/engine/dockerfile/model';
import { chunkInstructions } from './lib/docker';
import type { Fix, TextEdit } from '../server/engine/types';
import { containsKeyId, credentialSetting, isLiteralSecret, isSecretKeyShaped, mask } from './lib/secrets';
import { textEdit } from '../server/engine/offsetRange';

/** Names that say a variable carries a credential (catalog: `*_PASSWORD`, `*_TOKEN`, `*_SECRET`, AWS key names). */
const SECRET_NAME = /^(?:.*_)?(?:PASSWORD|PASSWD|TOKEN|SECRET|SECRET_KEY|SECRET_ACCESS_KEY|ACCESS_KEY_ID|API_KEY|PRIVATE_KEY)$/i;

function secretName(name: string): boolean {
  return SECRET_NAME.test(name) || credentialSetting(name) !== null;
}

/** A literal that looks like key material whatever its name: an access key id, or a secret-key-shaped string. */
function keyShaped(value: string | null): boolean {
  if (value === null || !isLiteralSecret(value) || /\$/.test(value)) return false;
  return containsKeyId(value) || isSecretKeyShaped(value, true);
}

/** `$NAME` / `${NAME}` / `${NAME:-x}` in a command. */
function uses(text: string, name: string): boolean {
  return new RegExp(`\\$(?:${name}(?![A-Za-z0-9_])|\\{${name}(?![A-Za-z0-9_]))`).test(text);
}

/** The instructions that run after `instr` with the variable in scope: the rest of its stage (every stage for a global ARG). */
function laterRuns(df: DfFile, instr: DfInstruction): DfInstruction[] {
  const stage = df.stages.find((s) => s.instructions.includes(instr));
  const pool = stage ? stage.instructions : df.instructions;
  return pool.filter((i) => i.keyword === 'RUN' && i.range.start > instr.range.end);
}

/** Removes one property; the whole instruction (and its line) when it is the only one. */
function removal(ctx: DfContext, instr: DfInstruction, prop: DfProperty): TextEdit {
  const text = ctx.text;
  const props = instr.properties;
  if (props.length === 1) {
    const line = ctx.lines.offsetToPosition(instr.range.start).line;
    const start = ctx.lines.lineStarts[line];
    let end = instr.range.end;
    if (text.startsWith('\r\n', end)) end += 2;
    else if (text[end] === '\n' || text[end] === '\r') end += 1;
    return textEdit(start, end, '');
  }
  const i = props.indexOf(prop);
  if (i > 0) return textEdit(props[i - 1].range.end, prop.range.end, '');
  return textEdit(prop.range.start, props[1].range.start, '');
}

/**
 * The `RUN`s that need the value as a secret mount: for an `ARG`, every later
 * `RUN` of its scope (each sees it in its environment, `.npmrc`-style files
 * read it without naming it in the command); for an `ENV`, those that name it.
 */
function consumers(df: DfFile, instr: DfInstruction, prop: DfProperty): DfInstruction[] {
  const runs = laterRuns(df, instr);
  return instr.keyword === 'ARG' ? runs : runs.filter((r) => uses(r.argsText, prop.name));
}

function suggestion(ctx: DfContext, instr: DfInstruction, prop: DfProperty): Fix {
  const df = ctx.dockerfile;
  const id = prop.name.toLowerCase();
  const mount = `--mount=type=secret,id=${id},env=${prop.name}`;
  const edits: TextEdit[] = [removal(ctx, instr, prop)];
  for (const run of consumers(df, instr, prop)) {
    if (run.flags.some((f) => f.name === 'mount' && f.value?.includes(`env=${prop.name}`))) continue;
    const at = run.flags[0]?.range.start ?? run.argsRange?.start;
    if (at === undefined) continue;
    edits.push(textEdit(at, at, `${mount} `));
  }
  if (edits.length > 1) {
    return ctx.suggest(`Pass ${prop.name} as a build secret: RUN ${mount} (build with --secret id=${id},env=${prop.name})`, edits);
  }
  return ctx.suggest(`Remove ${instr.keyword} ${prop.name}: provide it at run time from a secrets store`, edits);
}

const FACT = 'docker-no-secrets';

/** Whether some pair of the instruction is looked at by `check` (a name or value that says credential). */
function candidates(instr: DfInstruction): boolean {
  if (instr.keyword !== 'ENV' && instr.keyword !== 'ARG') return false;
  return instr.properties.some((p) => secretName(p.name) || keyShaped(p.value));
}

export default defineRule({
  id: 'docker-no-secrets',
  severity: 'error',
  seed: '000 Containers: scan and lint all Dockerfiles; 000 EC2: access keys should be stored securely',
  description: 'ENV and ARG must not carry credentials (AWS keys, *_PASSWORD, *_TOKEN, *_SECRET, key-shaped values): they stay in the image and its history.',
  fixable: 'suggestion',

  dockerfile(ctx) {
    const df = ctx.dockerfile;
    for (let k = 0; k < df.chunks.length; k++) {
      // Most chunks carry nothing: known per parse chunk (kept with it), so that a
      // keystroke neither re-tests nor moves the pairs of the chunks it did not touch.
      const chunk = df.chunks[k];
      let some = chunk.data.get(FACT) as boolean | undefined;
      if (some === undefined) {
        some = chunkInstructions(df, k).some(candidates);
        chunk.data.set(FACT, some);
      }
      if (some) check(ctx, chunkInstructions(df, k));
    }
  },
});

/** Reports the ENV/ARG pairs of `instructions` that carry a credential. */
function check(ctx: DfContext, instructions: DfInstruction[]): void {
  for (const instr of instructions) {
    if (instr.keyword !== 'ENV' && instr.keyword !== 'ARG') continue;
    for (const p of instr.properties) {
      const named = secretName(p.name);
      const shaped = keyShaped(p.value);
      if (!named && !shaped) continue;
      // `ENV X_TOKEN=` clears the variable: nothing is stored.
      if (instr.keyword === 'ENV' && named && !shaped && (p.value ?? '').trim() === '') continue;
      const literal = p.value !== null && isLiteralSecret(p.value) && !/\$/.test(p.value);
      const value = literal ? ` = '${mask(p.value!)}'` : p.value === null ? '' : ` = ${p.value}`;
      const where = instr.keyword === 'ARG'
        ? 'build arguments are recorded in the image history (docker history), whether given a default or passed with --build-arg'
        : 'it is stored in the image configuration and in the environment of every container';
      const what = named ? `${instr.keyword} ${p.name}${value} carries a credential` : `${instr.keyword} ${p.name} = '${mask(p.value!)}' looks like key material`;
      ctx.report({
        range: named ? p.nameRange : p.valueRange ?? p.range,
        resource: ctx.dockerfile.stages.find((s) => s.instructions.includes(instr))?.name ?? null,
        message: `${what}: ${where}. Use a build secret (RUN --mount=type=secret) for build steps, and a secrets store at run time.`,
        fixes: [suggestion(ctx, instr, p)],
      });
    }
  }
}
