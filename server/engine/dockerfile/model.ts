/**
 * The Dockerfile document model. Built by `parser.ts` over dockerfile-ast; every
 * range is a pair of UTF-16 offsets into `DfFile.text` (dockerfile-ast's LSP
 * ranges are converted at the parser boundary and nowhere else).
 */
import type { LineIndex } from '../positions';
import type { OffsetRange } from '../types';

/** The base image of a `FROM`. */
export interface DfImage {
  /** The image argument as written, e.g. `${BASE}` or `node:20-alpine`. */
  raw: string;
  /** `raw` after substituting the ARGs declared before the first FROM with their defaults. */
  resolved: string;
  /** Registry host when the reference names one (`ghcr.io`, `localhost:5000`), else null (Docker Hub). */
  registry: string | null;
  /** Repository path without registry, tag or digest, as written (`node`, `library/node`, `org/app`). */
  repository: string;
  tag: string | null;
  /** `sha256:...` when pinned by digest. */
  digest: string | null;
  /** Range of the image argument. Empty (at the end of `FROM`) when the image is missing. */
  range: OffsetRange;
  /** True when an unresolved `${VAR}` remains in `resolved` (no default, or a build-time variable). */
  unresolved: boolean;
}

export interface DfFlag {
  /** Without the leading `--`. */
  name: string;
  /** Null for a bare `--flag`; `''` for `--flag=`. */
  value: string | null;
  /** From `--` to the end of the value. */
  range: OffsetRange;
  valueRange: OffsetRange | null;
}

/** A here-document (`RUN <<EOF ... EOF`, `COPY <<EOF /dst ... EOF`). */
export interface DfHeredoc {
  /** The delimiter word, without `<<`, `-` or quotes. */
  name: string;
  /** The `<<EOF` operator and name on the instruction line. */
  startRange: OffsetRange;
  /** The body, verbatim (line breaks kept), without the delimiter line. */
  content: string;
  /** Range of `content`; null when the body is empty. */
  contentRange: OffsetRange | null;
  /** The closing delimiter line's word; null when the body is never closed. */
  delimiterRange: OffsetRange | null;
}

/** One whitespace-separated argument (flags excluded), as dockerfile-ast splits them. */
export interface DfArgument {
  value: string;
  range: OffsetRange;
}

/** A `name=value` (or `name value`) pair of `ENV`, `ARG` and `LABEL`. */
export interface DfProperty {
  name: string;
  /** Value with quotes and escapes removed; null when none is given (`ARG NAME`). */
  value: string | null;
  range: OffsetRange;
  nameRange: OffsetRange;
  valueRange: OffsetRange | null;
}

export interface DfInstruction {
  /** Upper case (`FROM`, `RUN`, or the unknown word for an invalid instruction). */
  keyword: string;
  /** From the keyword to the end of the last argument (continuations and heredoc bodies included). */
  range: OffsetRange;
  keywordRange: OffsetRange;
  /**
   * The arguments after the flags, as Docker reads them: each escape character
   * that ends a line is removed together with the line break, and comment lines
   * and empty lines inside a continuation are dropped. Heredoc bodies are kept
   * verbatim, line breaks included.
   */
  argsText: string;
  /**
   * `argsMap[i]` is the offset in the file of `argsText[i]`; it has one more entry
   * than `argsText` has characters (the end). Empty when there are no arguments.
   */
  argsMap: number[];
  /** Range of the arguments in the file (after the flags); null when there are none. */
  argsRange: OffsetRange | null;
  args: DfArgument[];
  flags: DfFlag[];
  heredocs: DfHeredoc[];
  /** `RUN`/`CMD`/`ENTRYPOINT`/`SHELL`/`COPY`/`ADD` written in exec (JSON array) form: its strings. Else null. */
  json: string[] | null;
  /** `ENV`, `ARG`, `LABEL`: the declared pairs. Empty for other instructions. */
  properties: DfProperty[];
  /**
   * The dockerfile-ast Instruction. Its positions are relative to the chunk it was
   * parsed in (`DfFile.chunks`), and may be those of an earlier parse: use the
   * offsets of this object instead.
   */
  raw: any;
}

export interface DfStage {
  /** 0-based position among the FROMs. */
  index: number;
  /** The `AS` name as written, or null. Docker compares stage names case-insensitively. */
  name: string | null;
  nameRange: OffsetRange | null;
  from: DfInstruction;
  image: DfImage;
  /** Name (as written) of an earlier stage this one is built FROM, or null. */
  parentStage: string | null;
  /** FROM and everything up to the next FROM. May be shared with the parse cache: never change it. */
  instructions: DfInstruction[];
  /** From the FROM's start to the end of the stage's last instruction. */
  range: OffsetRange;
}

export interface DfComment {
  /** Text after `#`, trimmed. */
  text: string;
  /** From `#` to the end of the line. */
  range: OffsetRange;
}

export interface DfDirective {
  /** Lower case: `syntax`, `escape`, `check`. */
  name: string;
  value: string;
  range: OffsetRange;
  valueRange: OffsetRange;
}

export interface DfFile {
  format: 'dockerfile';
  path: string;
  text: string;
  lines: LineIndex;
  /** `\` unless an `# escape=` directive says otherwise. */
  escapeChar: string;
  directives: DfDirective[];
  /** ARGs declared before the first FROM and their (expanded) defaults; null when none is given. */
  globalArgs: Map<string, string | null>;
  /** Instructions before the first FROM. */
  preamble: DfInstruction[];
  stages: DfStage[];
  /** Every instruction in file order (preamble and stages). */
  instructions: DfInstruction[];
  comments: DfComment[];
  /**
   * The dockerfile-ast Dockerfile of the first chunk (the whole file when it is
   * not cut), or null when it could not parse the text.
   */
  ast: any;
  /**
   * The pieces the file was parsed in (parser.ts `chunkStarts`; one piece, the
   * whole file, unless the caller passed a parse cache): consecutive, covering
   * the text. Each begins with a FROM except the first, which holds the first
   * FROM and everything before it. `data` holds what rules derived from the
   * piece's text alone, relative to its start; it follows the piece when an edit
   * elsewhere moves it.
   */
  chunks: DfChunk[];
}

export interface DfChunk {
  start: number;
  end: number;
  data: Map<string, unknown>;
  /** The dockerfile-ast Dockerfile of the chunk's text alone (shared by moved copies). */
  ast: any;
}
