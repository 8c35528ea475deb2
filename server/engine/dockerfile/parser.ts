/**
 * Dockerfile parser: dockerfile-ast does the parsing; this file turns its LSP
 * ranges (line/character) into the engine's UTF-16 offsets, once, and adds what
 * rules need on top (ARG substitution in FROM, joined continuation lines, stages).
 */
import { DockerfileParser } from 'dockerfile-ast';
import { LineIndex } from '../positions';
import type { OffsetRange } from '../types';
import type {
  DfArgument,
  DfComment,
  DfDirective,
  DfFile,
  DfFlag,
  DfHeredoc,
  DfImage,
  DfInstruction,
  DfProperty,
  DfStage,
} from './model';

interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/**
 * Parse a Dockerfile. Never throws: whatever dockerfile-ast cannot make sense of
 * ends up as unknown instructions, and if it fails outright the file has no
 * instructions at all.
 */
export function parseDockerfile(path: string, text: string): DfFile {
  const lines = new LineIndex(text);
  const file: DfFile = {
    format: 'dockerfile',
    path,
    text,
    lines,
    escapeChar: '\\',
    directives: [],
    globalArgs: new Map(),
    preamble: [],
    stages: [],
    instructions: [],
    comments: [],
    ast: null,
  };
  let ast: any;
  try {
    ast = DockerfileParser.parse(text);
  } catch {
    return file;
  }
  file.ast = ast;
  const off = (r: LspRange): OffsetRange => ({
    start: lines.positionToOffset(r.start),
    end: lines.positionToOffset(r.end),
  });
  const tryGet = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch {
      return fallback;
    }
  };

  file.escapeChar = tryGet(() => ast.getEscapeCharacter() as string, '\\') || '\\';
  file.directives = tryGet(
    () =>
      (ast.getDirectives() as any[]).map(
        (d): DfDirective => ({
          name: String(d.getName()).toLowerCase(),
          value: String(d.getValue()),
          range: off(d.getRange()),
          valueRange: off(d.getValueRange()),
        }),
      ),
    [],
  );
  file.comments = tryGet(
    () =>
      (ast.getComments() as any[]).map(
        (c): DfComment => ({ text: String(c.getContent() ?? ''), range: off(c.getRange()) }),
      ),
    [],
  );

  const rawInstructions: any[] = tryGet(() => ast.getInstructions() as any[], []);
  for (const raw of rawInstructions) {
    const instr = tryGet(() => convertInstruction(raw, text, file.escapeChar, off), null);
    if (instr) file.instructions.push(instr);
  }

  let current: DfStage | null = null;
  for (const instr of file.instructions) {
    if (instr.keyword === 'FROM') {
      const image = fromImage(instr, file.globalArgs, text, off);
      const nameRange = tryGet(() => {
        const r = instr.raw.getBuildStageRange();
        return r ? off(r) : null;
      }, null);
      const name = nameRange ? text.slice(nameRange.start, nameRange.end) : null;
      const lower = image.resolved.toLowerCase();
      const parent = file.stages.find((s) => s.name !== null && s.name.toLowerCase() === lower);
      current = {
        index: file.stages.length,
        name,
        nameRange,
        from: instr,
        image,
        parentStage: parent ? parent.name : null,
        instructions: [instr],
        range: { start: instr.range.start, end: instr.range.end },
      };
      file.stages.push(current);
    } else if (current) {
      current.instructions.push(instr);
      current.range.end = instr.range.end;
    } else {
      file.preamble.push(instr);
      if (instr.keyword === 'ARG') {
        for (const p of instr.properties) {
          const value = p.value === null ? null : expandVariables(p.value, file.globalArgs).value;
          file.globalArgs.set(p.name, value);
        }
      }
    }
  }
  return file;
}

function convertInstruction(
  raw: any,
  text: string,
  escapeChar: string,
  off: (r: LspRange) => OffsetRange,
): DfInstruction {
  const range = off(raw.getRange());
  const keywordRange = off(raw.getInstructionRange());
  const keyword = String(raw.getKeyword());
  const argsLsp = raw.getArgumentsRange() as LspRange | null;
  const argsRange = argsLsp ? off(argsLsp) : null;

  const args: DfArgument[] = (raw.getArguments() as any[]).map((a) => ({
    value: String(a.getValue()),
    range: off(a.getRange()),
  }));

  const flags: DfFlag[] =
    typeof raw.getFlags === 'function'
      ? (raw.getFlags() as any[]).map((f) => {
          const vr = f.getValueRange() as LspRange | null;
          return {
            name: String(f.getName()),
            value: f.getValue() === null ? null : String(f.getValue()),
            range: off(f.getRange()),
            valueRange: vr ? off(vr) : null,
          };
        })
      : [];

  let heredocs: DfHeredoc[] = [];
  if (typeof raw.getHeredocs === 'function' && (keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD')) {
    heredocs = (raw.getHeredocs() as any[]).map((h) => {
      const cr = h.getContentRange() as LspRange | null;
      const dr = h.getDelimiterRange() as LspRange | null;
      const contentRange = cr ? off(cr) : null;
      return {
        name: String(h.getName()),
        startRange: off(h.getStartRange()),
        content: contentRange ? text.slice(contentRange.start, contentRange.end) : '',
        contentRange,
        delimiterRange: dr ? off(dr) : null,
      };
    });
  }

  let argsText = '';
  let argsMap: number[] = [];
  if (argsRange) {
    const bodies: OffsetRange[] = [];
    for (const h of heredocs) {
      const start = h.contentRange?.start ?? h.delimiterRange?.start ?? null;
      if (start === null || start < argsRange.start) continue;
      bodies.push({ start, end: h.delimiterRange ? h.delimiterRange.end : argsRange.end });
    }
    const joined = joinContinuations(text, argsRange.start, argsRange.end, escapeChar, bodies);
    argsText = joined.text;
    argsMap = joined.map;
  }

  let json: string[] | null = null;
  if (/^(RUN|CMD|ENTRYPOINT|SHELL|COPY|ADD|VOLUME)$/.test(keyword) && argsText.trimStart().startsWith('[')) {
    try {
      const parsed = JSON.parse(argsText);
      if (Array.isArray(parsed) && parsed.every((s) => typeof s === 'string')) json = parsed;
    } catch {
      json = null;
    }
  }

  const properties: DfProperty[] =
    (keyword === 'ENV' || keyword === 'ARG' || keyword === 'LABEL') && typeof raw.getProperties === 'function'
      ? (raw.getProperties() as any[]).map((p) => {
          const vr = p.getValueRange() as LspRange | null;
          return {
            name: String(p.getName()),
            value: p.getValue() === null ? null : String(p.getValue()),
            range: off(p.getRange()),
            nameRange: off(p.getNameRange()),
            valueRange: vr ? off(vr) : null,
          };
        })
      : [];

  return { keyword, range, keywordRange, argsText, argsMap, argsRange, args, flags, heredocs, json, properties, raw };
}

/**
 * Join continuation lines the way Docker does: an escape character followed only
 * by spaces/tabs at the end of a line is removed with the line break, and the
 * empty and comment lines that follow it are skipped. `verbatim` ranges (heredoc
 * bodies) are copied as they are. Returns the joined text and, per character,
 * its offset in `text` (plus one entry for the end).
 */
export function joinContinuations(
  text: string,
  start: number,
  end: number,
  escapeChar: string,
  verbatim: OffsetRange[] = [],
): { text: string; map: number[] } {
  let out = '';
  const map: number[] = [];
  const copy = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      out += text[k];
      map.push(k);
    }
  };
  const bodies = [...verbatim].sort((a, b) => a.start - b.start);
  const isBreak = (k: number) => text[k] === '\n' || text[k] === '\r';
  const breakLength = (k: number) => (text[k] === '\r' && text[k + 1] === '\n' ? 2 : isBreak(k) ? 1 : 0);
  let i = start;
  while (i < end) {
    const body = bodies.find((b) => b.start <= i && i < b.end);
    if (body) {
      copy(i, Math.min(body.end, end));
      i = Math.min(body.end, end);
      continue;
    }
    const nextBody = bodies.find((b) => b.start > i);
    let le = i;
    while (le < end && !isBreak(le)) le++;
    if (nextBody && nextBody.start < le) {
      copy(i, nextBody.start);
      i = nextBody.start;
      continue;
    }
    if (le >= end) {
      copy(i, end);
      i = end;
      break;
    }
    // A line break follows. Is this line continued?
    let k = le - 1;
    while (k >= i && (text[k] === ' ' || text[k] === '\t')) k--;
    if (k >= i && text[k] === escapeChar) {
      copy(i, k);
      let next = le + breakLength(le);
      // Skip empty lines and comment lines inside the continuation.
      for (;;) {
        if (next >= end || bodies.some((b) => b.start === next)) break;
        let e = next;
        while (e < end && !isBreak(e)) e++;
        const line = text.slice(next, e);
        if (e < end && /^[ \t]*(#.*)?$/.test(line)) next = e + breakLength(e);
        else break;
      }
      i = next;
    } else {
      const after = le + breakLength(le);
      copy(i, Math.min(after, end));
      i = Math.min(after, end);
    }
  }
  map.push(Math.min(i, end));
  return { text: out, map };
}

function fromImage(
  instr: DfInstruction,
  globals: Map<string, string | null>,
  text: string,
  off: (r: LspRange) => OffsetRange,
): DfImage {
  let range: OffsetRange | null = null;
  let raw = '';
  try {
    const r = instr.raw.getImageRange() as LspRange | null;
    if (r) {
      range = off(r);
      raw = String(instr.raw.getImage() ?? text.slice(range.start, range.end));
    }
  } catch {
    range = null;
  }
  if (!range) {
    return {
      raw: '',
      resolved: '',
      registry: null,
      repository: '',
      tag: null,
      digest: null,
      range: { start: instr.keywordRange.end, end: instr.keywordRange.end },
      unresolved: false,
    };
  }
  const { value: resolved, unresolved } = expandVariables(raw, globals);
  return { raw, resolved, ...splitImageReference(resolved), range, unresolved };
}

/**
 * Split an image reference into registry, repository, tag and digest, following
 * Docker's reference grammar: the first path component is a registry when it
 * holds a `.` or a `:` or is `localhost`. The repository is kept as written (no
 * `library/` or `docker.io` added).
 */
export function splitImageReference(ref: string): {
  registry: string | null;
  repository: string;
  tag: string | null;
  digest: string | null;
} {
  let name = ref;
  let digest: string | null = null;
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
  }
  let tag: string | null = null;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  let registry: string | null = null;
  const slash = name.indexOf('/');
  if (slash > 0) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      name = name.slice(slash + 1);
    }
  }
  return { registry, repository: name, tag, digest };
}

/**
 * Substitute `$NAME`, `${NAME}` and the `${NAME:-word}`, `${NAME-word}`,
 * `${NAME:+word}`, `${NAME+word}`, `${NAME:?msg}`, `${NAME?msg}` forms, with the
 * values of `vars` (null: declared without a default). References that cannot be
 * resolved from defaults (undeclared, no default, pattern modifiers) are left as
 * written and reported through `unresolved`.
 */
export function expandVariables(
  input: string,
  vars: Map<string, string | null>,
): { value: string; unresolved: boolean } {
  let out = '';
  let unresolved = false;
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === '\\' && input[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    if (input[i + 1] === '{') {
      // Find the matching brace (words may nest ${...}).
      let depth = 1;
      let j = i + 2;
      while (j < input.length && depth > 0) {
        if (input[j] === '{') depth++;
        else if (input[j] === '}') depth--;
        if (depth > 0) j++;
      }
      if (j >= input.length) {
        out += input.slice(i);
        unresolved = true;
        break;
      }
      const body = input.slice(i + 2, j);
      const whole = input.slice(i, j + 1);
      i = j + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(body);
      if (!m) {
        out += whole;
        unresolved = true;
        continue;
      }
      const [, name, op, word] = m;
      // The value Docker would use with no --build-arg: a string, or undefined when
      // unset (declared without default, or undeclared). Platform ARGs are set by the
      // builder and unknown here.
      const known = !PLATFORM_ARGS.has(name) || vars.has(name);
      const value = vars.get(name) ?? undefined;
      const word_ = () => {
        const w = expandVariables(word, vars);
        out += w.value;
        unresolved ||= w.unresolved;
      };
      if (!op || !known) {
        if (op === undefined && value !== undefined) out += value;
        else {
          out += whole;
          unresolved = true;
        }
      } else if (op === ':-' || op === '-') {
        if (value !== undefined && (op === '-' || value !== '')) out += value;
        else word_();
      } else if (op === ':+' || op === '+') {
        if (value !== undefined && (op === '+' || value !== '')) word_();
      } else if (value !== undefined && (op === '?' || value !== '')) {
        out += value;
      } else {
        // `${NAME:?message}` unset: the build fails; keep it visible.
        out += whole;
        unresolved = true;
      }
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i + 1));
    if (!m) {
      out += '$';
      i++;
      continue;
    }
    const name = m[0];
    const whole = '$' + name;
    i += whole.length;
    const value = vars.get(name) ?? null;
    if (value !== null) out += value;
    else {
      out += whole;
      unresolved = true;
    }
  }
  return { value: out, unresolved };
}

const PLATFORM_ARGS = new Set([
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
]);

const DOCKERFILE_WORD = /^(dockerfile|containerfile)$/i;
/**
 * File extensions that say a `Dockerfile.x...` file is something else: docs,
 * data, code (`dockerfile.test.js.map`, editor plugins such as `dockerfile.vim`),
 * templates that need rendering first, backups. Any dot-separated part counts.
 */
const NOT_DOCKERFILE_EXT = new Set([
  'md', 'markdown', 'txt', 'rst', 'adoc', 'html', 'htm', 'xml', 'json', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf',
  'properties', 'env', 'csv', 'log', 'diff', 'patch', 'pdf', 'png', 'svg', 'jpg', 'gif',
  'sh', 'bash', 'zsh', 'fish', 'ps1', 'bat', 'cmd', 'py', 'pyc', 'js', 'mjs', 'cjs', 'ts', 'mts', 'cts', 'jsx', 'tsx', 'map',
  'rb', 'go', 'rs', 'java', 'kt', 'c', 'h', 'cc', 'cpp', 'hpp', 'cs', 'php', 'pl', 'lua', 'vim', 'el', 'nix', 'snap',
  'lock', 'bak', 'orig', 'rej', 'swp', 'tmp', 'old', 'sig', 'asc', 'sha256', 'gz', 'zip', 'tar', 'tgz',
  'tmpl', 'tpl', 'template', 'j2', 'jinja', 'jinja2', 'erb', 'mustache', 'hbs', 'in', 'm4', 'dockerignore',
]);

/**
 * Whether a path names a Dockerfile: `Dockerfile`, `Containerfile`,
 * `Dockerfile.<variant>` / `Containerfile.<variant>` (`Dockerfile.dev`), and
 * `<name>.dockerfile` / `<name>.containerfile`, the word in any case. Never
 * `.dockerignore` files, and not `Dockerfile.<ext>` whose extension says it is
 * something else (`.md`, `.json`, `.sh`, templates such as `.tmpl`/`.j2`,
 * backups such as `.bak`).
 */
export function isDockerfilePath(path: string): boolean {
  const base = path.split(/[\\/]/).pop() ?? '';
  if (/dockerignore/i.test(base)) return false;
  if (DOCKERFILE_WORD.test(base)) return true;
  const dot = base.indexOf('.');
  if (dot > 0 && DOCKERFILE_WORD.test(base.slice(0, dot))) {
    const parts = base.slice(dot + 1).split('.');
    return parts.every((p) => p !== '' && !NOT_DOCKERFILE_EXT.has(p.toLowerCase()));
  }
  const lastDot = base.lastIndexOf('.');
  return lastDot > 0 && DOCKERFILE_WORD.test(base.slice(lastDot + 1));
}
