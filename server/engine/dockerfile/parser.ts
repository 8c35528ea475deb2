/**
 * Dockerfile parser: dockerfile-ast does the parsing; this file turns its LSP
 * ranges (line/character) into the engine's UTF-16 offsets, once, and adds what
 * rules need on top (ARG substitution in FROM, joined continuation lines, stages).
 */
import { DockerfileParser } from 'dockerfile-ast';
// Arguments computed once per dockerfile-ast instruction (see astMemo.ts).
import './astMemo';
import { mapDense } from '../arrays';
import { LineIndex, firstAtOrAfter } from '../positions';
import { changedSpan } from '../textDiff';
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
import { offsetRange } from '../offsetRange';

interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/**
 * What a parse of one chunk of a Dockerfile leaves for the next parses of the
 * same document (see `parseDockerfile`): per chunk text, the converted
 * instructions, comments and directives, at the offset they were last used at.
 */
export interface DfParseCache {
  /** The chunks of the last parse (only those: memory stays proportional to the document). */
  chunks: Map<string, ChunkParse>;
  /** The line index of the last parse, the next one is derived from. */
  lines?: LineIndex;
  /** The chunks of the last parse in order of their start (`chunks` by position, see `chunkAt`). */
  byStart?: ChunkParse[];
  /** The cut points of the last parse's text (the next scan resumes from them). */
  cuts?: CutScan;
}

export function newDfParseCache(): DfParseCache {
  return { chunks: new Map() };
}

/** The converted content of one chunk, with absolute offsets for a chunk starting at `start`. */
interface ChunkParse {
  /** The chunk's text (a copy that does not hold on to the document). */
  key: string;
  start: number;
  ok: boolean;
  escapeChar: string;
  directives: DfDirective[];
  comments: DfComment[];
  instructions: DfInstruction[];
  /** Indices in `instructions` of the FROMs. */
  froms: number[];
  ast: any;
  /** Rule data derived from the chunk text alone, relative to its start (shared by shifted copies). */
  data: Map<string, unknown>;
}

/** What a FROM instruction says about its stage, read from dockerfile-ast once. */
interface FromInfo {
  nameRange: OffsetRange | null;
  imageRange: OffsetRange | null;
  image: string;
  /** The stage name as written (`nameRange`'s text), or null. */
  name: string | null;
  /** The image resolved against the global ARGs whose key is `resolvedFor` (see `fromImage`). */
  resolved?: ResolvedImage;
  resolvedFor?: string;
}

type ResolvedImage = Omit<DfImage, 'raw' | 'range'>;

/** FROM details of the instructions as parsed (a moved copy asks its source, see `fromInfoOf`). */
const fromInfos = new WeakMap<DfInstruction, FromInfo>();

/** The FROM details of `instr` as parsed, and how far `instr` is moved from there. */
function fromInfoOf(instr: DfInstruction): { info: FromInfo; delta: number } | undefined {
  const moved = instr instanceof MovedInstruction;
  const info = fromInfos.get(moved ? instr.source : instr);
  return info && { info, delta: moved ? instr.delta : 0 };
}

/**
 * When `instr` is a copy, moved by `delta`, of an instruction of an earlier parse
 * of the same text (see `parseDockerfile`), that instruction: results derived
 * from its text alone can be moved instead of recomputed. (The instruction as
 * parsed, never a copy: copies of copies point to it, so no chain stays alive.)
 */
export function originOf(instr: DfInstruction): { from: DfInstruction; delta: number } | undefined {
  return instr instanceof MovedInstruction && instr.keyword === 'RUN' ? { from: instr.source, delta: instr.delta } : undefined;
}

/**
 * Parse a Dockerfile. Never throws: whatever dockerfile-ast cannot make sense of
 * ends up as unknown instructions, and if it fails outright the file has no
 * instructions at all.
 *
 * With a `cache`, the text is cut into chunks at the FROM lines that certainly
 * start an instruction (`chunkStarts`), each chunk is parsed alone, and the
 * chunks whose text did not change since the last parse are reused (moved to
 * their new offset). The result equals a parse of the whole text; whenever a cut
 * is in doubt (an `escape` directive, an open heredoc or continuation, a chunk
 * that does not parse as expected) the whole text is parsed as one chunk.
 */
export function parseDockerfile(path: string, text: string, cache?: DfParseCache): DfFile {
  const prevText = cache?.lines?.text;
  const lines = LineIndex.of(text, cache?.lines);
  if (cache) cache.lines = lines;
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
    chunks: [],
  };
  let parts: ChunkParse[] | null = null;
  if (cache) {
    const cuts = chunkStartsAfter(text, cache.cuts);
    cache.cuts = cuts;
    const starts = cuts.starts;
    const used = new Map<string, ChunkParse>();
    // Chunks wholly before or after the changed text are found by position (the
    // text there is the previous text, moved): no need to cut and hash them.
    const span = prevText !== undefined && prevText !== text && cache.byStart ? changedSpan(prevText, text) : null;
    const byStart: ChunkParse[] = [];
    if (starts.length > 1) {
      parts = [];
      for (let k = 0; k < starts.length; k++) {
        const start = starts[k];
        const end = k + 1 < starts.length ? starts[k + 1] : text.length;
        let part: ChunkParse | undefined;
        if (span && (end <= span.start || start >= span.newEnd)) {
          const was = chunkAt(cache.byStart!, end <= span.start ? start : start - span.newEnd + span.oldEnd);
          if (was && was.key.length === end - start && !used.has(was.key)) {
            part = was.start === start ? was : shiftChunk(was, start - was.start);
            used.set(part.key, part);
          }
        }
        part ??= cachedChunk(cache, used, text, start, end);
        byStart.push(part);
        const first = part.instructions[0];
        const fine = part.ok && (k === 0 ? part.escapeChar === '\\' : first !== undefined && first.keyword === 'FROM' && first.range.start === start);
        if (!fine) {
          parts = null;
          break;
        }
        parts.push(part);
      }
    }
    cache.chunks = used;
    cache.byStart = byStart;
  }
  if (!parts) {
    parts = [parseChunk(text, 0, text.length, lines)];
    file.chunks = [{ start: 0, end: text.length, data: parts[0].data, ast: parts[0].ast }];
  } else {
    file.chunks = parts.map((p, k) => ({ start: p.start, end: k + 1 < parts!.length ? parts![k + 1].start : text.length, data: p.data, ast: p.ast }));
  }
  const head = parts[0];
  file.ast = head.ast;
  file.escapeChar = head.escapeChar;
  file.directives = head.directives;
  // Joined natively (one allocation each), not element by element.
  file.comments = parts.length === 1 ? head.comments.slice() : ([] as DfComment[]).concat(...parts.map((p) => p.comments));
  file.instructions = parts.length === 1 ? head.instructions.slice() : ([] as DfInstruction[]).concat(...parts.map((p) => p.instructions));

  let current: DfStage | null = null;
  /** The first stage of each name, lower case. */
  const named = new Map<string, DfStage>();
  /** `file.globalArgs` as a string (resolved images are kept per FROM as parsed, for these ARGs). */
  let globalsKey: string | undefined;
  /** `current.instructions` is a chunk's list. */
  let lent = false;
  // Chunk by chunk: a stage is a FROM and what follows it up to the next FROM,
  // its instructions copied at once (a chunk knows where its FROMs are).
  for (const p of parts) {
    const list = p.instructions;
    const froms = p.froms;
    const lead = froms.length > 0 ? froms[0] : list.length;
    for (let k = 0; k < lead; k++) {
      const instr = list[k];
      if (current) {
        // Never into a chunk's own list (see below).
        if (lent) current.instructions = current.instructions.slice();
        lent = false;
        current.instructions.push(instr);
        current.range.end = instr.range.end;
      } else {
        file.preamble.push(instr);
        if (instr.keyword === 'ARG') {
          for (const prop of instr.properties) {
            const value = prop.value === null ? null : expandVariables(prop.value, file.globalArgs).value;
            file.globalArgs.set(prop.name, value);
          }
        }
      }
    }
    for (let f = 0; f < froms.length; f++) {
      const instr = list[froms[f]];
      const to = f + 1 < froms.length ? froms[f + 1] : list.length;
      const lends = froms.length === 1 && froms[0] === 0;
      const at = fromInfoOf(instr) ?? { info: { nameRange: null, imageRange: null, image: '', name: null }, delta: 0 };
      // The global ARGs are all known at the first FROM.
      globalsKey ??= file.globalArgs.size === 0 ? '' : JSON.stringify([...file.globalArgs]);
      const image = fromImage(instr, at.info, at.delta, file.globalArgs, globalsKey);
      const nameRange = shiftOrNull(at.info.nameRange, at.delta);
      const name = at.info.name;
      const lower = image.resolved.toLowerCase();
      const parent = named.get(lower);
      current = {
        index: file.stages.length,
        name,
        nameRange,
        from: instr,
        image,
        parentStage: parent ? parent.name : null,
        // A chunk that is one stage lends it its list (never changed once made).
        instructions: lends ? list : list.slice(froms[f], to),
        range: offsetRange(instr.range.start, list[to - 1].range.end),
      };
      file.stages.push(current);
      lent = lends;
      if (name !== null && !named.has(name.toLowerCase())) named.set(name.toLowerCase(), current);
    }
  }
  return file;
}

/** The chunk of `chunks` (in order of their start) that starts at `start`. */
function chunkAt(chunks: ChunkParse[], start: number): ChunkParse | undefined {
  const lo = firstAtOrAfter(chunks, start, (c) => c.start);
  return lo < chunks.length && chunks[lo].start === start ? chunks[lo] : undefined;
}

/** The chunk `text[start, end)` from the cache (moved when it was last used elsewhere), or parsed. */
function cachedChunk(cache: DfParseCache, used: Map<string, ChunkParse>, text: string, start: number, end: number): ChunkParse {
  const key = text.slice(start, end);
  const hit = used.get(key) ?? cache.chunks.get(key);
  const part = !hit ? parseChunk(text, start, end) : hit.start === start ? hit : shiftChunk(hit, start - hit.start);
  if (!hit) part.key = detach(key);
  used.set(part.key, part);
  return part;
}

/** A copy of `s` that does not keep the whole document alive. */
function detach(s: string): string {
  return (s + ' ').slice(0, -1);
}

/** Parses `text[start, end)` alone; offsets are offsets into `text`. */
function parseChunk(text: string, start: number, end: number, wholeLines?: LineIndex): ChunkParse {
  const chunk = start === 0 && end === text.length ? text : text.slice(start, end);
  const part: ChunkParse = { key: '', start, ok: false, escapeChar: '\\', directives: [], comments: [], instructions: [], froms: [], ast: null, data: new Map() };
  let ast: any;
  try {
    ast = DockerfileParser.parse(chunk);
  } catch {
    return part;
  }
  part.ast = ast;
  part.ok = true;
  const lines = wholeLines && start === 0 ? wholeLines : new LineIndex(chunk);
  const off = (r: LspRange): OffsetRange => offsetRange(start + lines.positionToOffset(r.start), start + lines.positionToOffset(r.end));
  const tryGet = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch {
      return fallback;
    }
  };

  part.escapeChar = tryGet(() => ast.getEscapeCharacter() as string, '\\') || '\\';
  part.directives = tryGet(
    () =>
      mapDense(ast.getDirectives() as any[], 
        (d): DfDirective => ({
          name: String(d.getName()).toLowerCase(),
          value: String(d.getValue()),
          range: off(d.getRange()),
          valueRange: off(d.getValueRange()),
        }),
      ),
    [],
  );
  part.comments = tryGet(
    () =>
      mapDense(ast.getComments() as any[], 
        (c): DfComment => ({ text: String(c.getContent() ?? ''), range: off(c.getRange()) }),
      ),
    [],
  );

  const rawInstructions: any[] = tryGet(() => ast.getInstructions() as any[], []);
  for (const raw of rawInstructions) {
    const instr = tryGet(() => convertInstruction(raw, text, part.escapeChar, off), null);
    if (!instr) continue;
    if (instr.keyword === 'FROM') {
      part.froms.push(part.instructions.length);
      fromInfos.set(instr, fromInfo(instr, text, off));
    }
    part.instructions.push(instr);
  }
  return part;
}

/**
 * The cut points of `text`: 0, then the start of every FROM line (the keyword at
 * the start of the line) after the first that certainly starts an instruction:
 * not inside a continuation (blank and comment lines continue one) nor a heredoc
 * body. Any doubt (an `escape` directive, a lone CR, a heredoc operator it cannot
 * read, a continued line holding `<`) ends the cutting: the rest is one chunk.
 */
export function chunkStarts(text: string): number[] {
  if (/\r(?!\n)/.test(text) || /#[ \t]*escape[ \t]*=/i.test(text)) return [0];
  return scanCuts(text, [0], 0, false, null).starts;
}

/** The cut points of a text as `chunkStarts` found them, for the next text (see `chunkStartsAfter`). */
export interface CutScan {
  text: string;
  starts: number[];
  /** The scan went to the end of the text (no doubt stopped it). */
  complete: boolean;
}

/**
 * `chunkStarts(text)`, from the scan of an earlier text `prev`: the scan resumes
 * at the last cut before the change and stops at the first cut after it where
 * its state is the earlier scan's there (a cut is a FROM line outside any
 * continuation or heredoc: from there on, equal text scans equally), the
 * earlier cuts after it moved. Falls back to a whole scan when in doubt.
 */
export function chunkStartsAfter(text: string, prev: CutScan | undefined): CutScan {
  const whole = (): CutScan => {
    if (/\r(?!\n)/.test(text) || /#[ \t]*escape[ \t]*=/i.test(text)) return { text, starts: [0], complete: false };
    const r = scanCuts(text, [0], 0, false, null);
    return { text, starts: r.starts, complete: r.complete };
  };
  if (!prev || !prev.complete || prev.text === text) return prev && prev.text === text ? prev : whole();
  const span = changedSpan(prev.text, text);
  // The earlier text had neither a lone CR nor an escape directive: a new one lies
  // around the change (within its lines).
  const lineFrom = text.lastIndexOf('\n', span.start - 1) + 1;
  let lineTo = text.indexOf('\n', span.newEnd);
  if (lineTo < 0) lineTo = text.length;
  const around = text.slice(Math.max(0, Math.min(lineFrom, span.start - 1)), Math.min(text.length, lineTo + 1));
  if (/\r(?!\n)/.test(around) || /#[ \t]*escape[ \t]*=/i.test(around)) return whole();
  // The last earlier cut at or before the change (text before it unchanged).
  const old = prev.starts;
  let k = old.length - 1;
  while (k > 0 && old[k] > span.start) k--;
  if (k === 0) return whole();
  const r = scanCuts(text, old.slice(0, k), old[k], true, { old, from: k, oldEnd: span.oldEnd, delta: span.newEnd - span.oldEnd });
  return { text, starts: r.starts, complete: r.complete };
}

/**
 * The scan of `chunkStarts` from `pos` (a line start; `seen`: a FROM was seen
 * before it; no continuation or heredoc open there), adding to `starts`. With
 * `resume`, stops at a line start past the change that was a cut of the earlier
 * scan, reached in the same state, and adds the earlier cuts from there, moved.
 */
function scanCuts(
  text: string,
  starts: number[],
  pos: number,
  seen: boolean,
  resume: { old: number[]; from: number; oldEnd: number; delta: number } | null,
): { starts: number[]; complete: boolean } {
  const HEREDOC = /<<(-?)(["']?)([A-Za-z0-9_.-]+)\2(?=[ \t\r\n]|$)/y;
  const isSpace = (c: number) => c === 32 || c === 9;
  let seenFrom = seen;
  let continued = false;
  /** Heredoc delimiters whose bodies are still to come, in order. */
  const pending: string[] = [];
  /** The next `<` at or after the current line (searched once, not once per line). */
  let nextLt = -1;
  /** The next earlier cut (index into `resume.old`) that lies after the change. */
  let next = -1;
  if (resume) {
    next = resume.from;
    while (next < resume.old.length && resume.old[next] < resume.oldEnd) next++;
  }
  // Line by line, without cutting the text into strings: this runs on every keystroke.
  while (pos < text.length) {
    const lineStart = pos;
    if (resume && next < resume.old.length) {
      while (next < resume.old.length && resume.old[next] + resume.delta < lineStart) next++;
      if (next < resume.old.length && resume.old[next] + resume.delta === lineStart && seenFrom && !continued && pending.length === 0) {
        // The earlier scan's state here, and the same text on: its cuts, moved.
        for (let m = next; m < resume.old.length; m++) starts.push(resume.old[m] + resume.delta);
        return { starts, complete: true };
      }
    }
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const lineEnd = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    pos = nl + 1;
    if (pending.length > 0) {
      // A body ends at a line that is exactly its delimiter (dockerfile-ast also
      // accepts leading tabs after `<<-`: then this waits longer, which is safe).
      const name = pending[0];
      if (lineEnd - lineStart === name.length && text.startsWith(name, lineStart)) {
        pending.shift();
        // What follows a body is read as the instruction's: no cut right after.
        if (pending.length === 0) continued = true;
      }
      continue;
    }
    let first = lineStart;
    while (first < lineEnd && isSpace(text.charCodeAt(first))) first++;
    let last = lineEnd - 1;
    while (last >= first && isSpace(text.charCodeAt(last))) last--;
    const blank = first >= lineEnd;
    const ends = !blank && text.charCodeAt(last) === 92; // `\`
    const comment = !blank && text.charCodeAt(first) === 35; // `#`
    if (
      !continued && first === lineStart && lineEnd - lineStart >= 4 &&
      (text.charCodeAt(lineStart) | 32) === 102 && (text.charCodeAt(lineStart + 1) | 32) === 114 &&
      (text.charCodeAt(lineStart + 2) | 32) === 111 && (text.charCodeAt(lineStart + 3) | 32) === 109 &&
      (lineEnd === lineStart + 4 || isSpace(text.charCodeAt(lineStart + 4)))
    ) {
      if (seenFrom) starts.push(lineStart);
      seenFrom = true;
    }
    if (nextLt < lineStart) {
      nextLt = text.indexOf('<', lineStart);
      if (nextLt < 0) nextLt = Infinity;
    }
    if (nextLt < lineEnd) {
      if (ends) return { starts, complete: false };
      for (let at = nextLt; at < lineEnd - 1; at++) {
        if (text.charCodeAt(at) !== 60 || text.charCodeAt(at + 1) !== 60) continue;
        HEREDOC.lastIndex = at;
        const m = HEREDOC.exec(text);
        if (!m) return { starts, complete: false };
        pending.push(m[3]);
        at += m[0].length - 1;
      }
    }
    if (blank || comment) continued ||= ends;
    else continued = ends;
  }
  return { starts, complete: true };
}

function shiftRange(r: OffsetRange, d: number): OffsetRange {
  return offsetRange(r.start + d, r.end + d);
}

function shiftOrNull(r: OffsetRange | null, d: number): OffsetRange | null {
  return r ? offsetRange(r.start + d, r.end + d) : null;
}

/** A copy of a chunk's parse moved by `d` characters. */
function shiftChunk(p: ChunkParse, d: number): ChunkParse {
  const instructions: DfInstruction[] = mapDense(p.instructions, (i) => new MovedInstruction(i, d));
  return {
    key: p.key,
    start: p.start + d,
    ok: p.ok,
    escapeChar: p.escapeChar,
    directives: mapDense(p.directives, (x) => ({ name: x.name, value: x.value, range: shiftRange(x.range, d), valueRange: shiftRange(x.valueRange, d) })),
    comments: mapDense(p.comments, (c) => ({ text: c.text, range: shiftRange(c.range, d) })),
    instructions,
    froms: p.froms,
    ast: p.ast,
    data: p.data,
  };
}

/** The parts of a moved instruction that are moved only when asked for (see `MovedInstruction`). */
interface MovedParts {
  keywordRange?: OffsetRange;
  argsRange?: OffsetRange | null;
  argsMap?: number[];
  args?: DfArgument[];
  flags?: DfFlag[];
  heredocs?: DfHeredoc[];
  properties?: DfProperty[];
}

/**
 * An instruction of an earlier parse moved by `delta` characters. Its parts
 * other than its range are moved only when asked for (getters, cached): most
 * are never, and copying them all on every keystroke is most of what an edit
 * costs in a long file. (Spreading one, `{...instr}`, copies none of them.)
 */
class MovedInstruction implements DfInstruction {
  keyword: string;
  range: OffsetRange;
  argsText: string;
  json: string[] | null;
  raw: any;
  /** The instruction as parsed (never a copy: copies of copies point here, so memory stays flat). */
  readonly source: DfInstruction;
  /** How far this copy is moved from `source`. */
  readonly delta: number;
  /** What was moved (or set) so far; one object, made on the first ask. */
  private moved?: MovedParts;

  constructor(i: DfInstruction, delta: number) {
    if (i instanceof MovedInstruction) {
      this.source = i.source;
      this.delta = i.delta + delta;
    } else {
      this.source = i;
      this.delta = delta;
    }
    this.keyword = i.keyword;
    this.range = shiftRange(i.range, delta);
    this.argsText = i.argsText;
    this.json = i.json;
    this.raw = i.raw;
  }

  private get parts(): MovedParts {
    return (this.moved ??= {});
  }

  get keywordRange(): OffsetRange {
    const m = this.parts;
    return (m.keywordRange ??= shiftRange(this.source.keywordRange, this.delta));
  }

  set keywordRange(v: OffsetRange) {
    this.parts.keywordRange = v;
  }

  get argsRange(): OffsetRange | null {
    const m = this.parts;
    if (m.argsRange === undefined) m.argsRange = shiftOrNull(this.source.argsRange, this.delta);
    return m.argsRange;
  }

  set argsRange(v: OffsetRange | null) {
    this.parts.argsRange = v;
  }

  get argsMap(): number[] {
    const d = this.delta;
    const m = this.parts;
    return (m.argsMap ??= mapDense(this.source.argsMap, (k) => k + d));
  }

  set argsMap(v: number[]) {
    this.parts.argsMap = v;
  }

  get args(): DfArgument[] {
    const d = this.delta;
    const m = this.parts;
    return (m.args ??= mapDense(this.source.args, (a) => ({ value: a.value, range: shiftRange(a.range, d) })));
  }

  set args(v: DfArgument[]) {
    this.parts.args = v;
  }

  get flags(): DfFlag[] {
    const d = this.delta;
    const m = this.parts;
    return (m.flags ??= mapDense(this.source.flags, (f) => ({ name: f.name, value: f.value, range: shiftRange(f.range, d), valueRange: shiftOrNull(f.valueRange, d) })));
  }

  set flags(v: DfFlag[]) {
    this.parts.flags = v;
  }

  get heredocs(): DfHeredoc[] {
    const d = this.delta;
    const m = this.parts;
    return (m.heredocs ??= mapDense(this.source.heredocs, (h) => ({
      name: h.name,
      startRange: shiftRange(h.startRange, d),
      content: h.content,
      contentRange: shiftOrNull(h.contentRange, d),
      delimiterRange: shiftOrNull(h.delimiterRange, d),
    })));
  }

  set heredocs(v: DfHeredoc[]) {
    this.parts.heredocs = v;
  }

  get properties(): DfProperty[] {
    const d = this.delta;
    const m = this.parts;
    return (m.properties ??= mapDense(this.source.properties, (p) => ({
      name: p.name,
      value: p.value,
      range: shiftRange(p.range, d),
      nameRange: shiftRange(p.nameRange, d),
      valueRange: shiftOrNull(p.valueRange, d),
    })));
  }

  set properties(v: DfProperty[]) {
    this.parts.properties = v;
  }
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

  const args: DfArgument[] = mapDense(raw.getArguments() as any[], (a) => ({
    value: String(a.getValue()),
    range: off(a.getRange()),
  }));

  const flags: DfFlag[] =
    typeof raw.getFlags === 'function'
      ? mapDense(raw.getFlags() as any[], (f) => {
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
    heredocs = mapDense(raw.getHeredocs() as any[], (h) => {
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
      bodies.push(offsetRange(start, h.delimiterRange ? h.delimiterRange.end : argsRange.end));
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
      ? mapDense(raw.getProperties() as any[], (p) => {
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
    if (from >= to) return;
    // One slice, not a string per character.
    out += text.slice(from, to);
    for (let k = from; k < to; k++) map.push(k);
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

function fromInfo(instr: DfInstruction, text: string, off: (r: LspRange) => OffsetRange): FromInfo {
  const info: FromInfo = { nameRange: null, imageRange: null, image: '', name: null };
  try {
    const r = instr.raw.getBuildStageRange();
    info.nameRange = r ? off(r) : null;
  } catch {
    info.nameRange = null;
  }
  // A copy: the info outlives this text.
  info.name = info.nameRange ? detach(text.slice(info.nameRange.start, info.nameRange.end)) : null;
  try {
    const r = instr.raw.getImageRange() as LspRange | null;
    if (r) {
      const range = off(r);
      info.image = String(instr.raw.getImage() ?? text.slice(range.start, range.end));
      info.imageRange = range;
    }
  } catch {
    info.imageRange = null;
    info.image = '';
  }
  return info;
}

/**
 * The image of a FROM (`info` of it as parsed, moved by `delta`). What it
 * resolves to depends on its text and the global ARGs only: kept with `info`
 * for `globals` (`globalsKey`), so an edit elsewhere does not resolve it again.
 */
function fromImage(instr: DfInstruction, info: FromInfo, delta: number, globals: Map<string, string | null>, globalsKey: string): DfImage {
  const range = shiftOrNull(info.imageRange, delta);
  const raw = info.image;
  if (!range) {
    return {
      raw: '',
      resolved: '',
      registry: null,
      repository: '',
      tag: null,
      digest: null,
      range: offsetRange(instr.keywordRange.end, instr.keywordRange.end),
      unresolved: false,
    };
  }
  let r = info.resolvedFor === globalsKey ? info.resolved : undefined;
  if (!r) {
    const { value: resolved, unresolved } = expandVariables(raw, globals);
    r = { resolved, ...splitImageReference(resolved), unresolved };
    info.resolved = r;
    info.resolvedFor = globalsKey;
  }
  return { raw, resolved: r.resolved, registry: r.registry, repository: r.repository, tag: r.tag, digest: r.digest, range, unresolved: r.unresolved };
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
  // Nothing to substitute: the input as it is (what the loop below would build).
  if (!input.includes('$')) return { value: input, unresolved: false };
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
