/**
 * Terraform files parsed with tree-sitter-terraform (web-tree-sitter, WebAssembly).
 * `initTerraform` loads the grammar once (async); `parseTerraform` is synchronous
 * and never throws. Node offsets from web-tree-sitter are already UTF-16 string
 * indices when the input is a JS string, so no conversion is needed here.
 */
// `import x = require(...)` (not `import {...}`) so that esbuild picks the package's
// CommonJS build: its ESM build reads `import.meta.url`, which is empty in our CJS bundles.
import TreeSitter = require('web-tree-sitter');
import { mapDense } from '../arrays';
import { LineIndex, firstAtOrAfter } from '../positions';
import { changedSpan } from '../textDiff';
import { loadParser } from '../treeSitter';
import type { OffsetRange } from '../types';
import type {
  TfAttribute, TfBlock, TfCall, TfExpr, TfExprKind, TfFile, TfLabel, TfObjectItem, TfReference, TfSyntaxError,
} from './model';
import { offsetRange } from '../offsetRange';

const { Parser, Query } = TreeSitter;
type Parser = TreeSitter.Parser;
type Query = TreeSitter.Query;
type TsNode = TreeSitter.Node;
type Tree = TreeSitter.Tree;

let parser: Parser | null = null;
let initializing: Promise<void> | null = null;

/** Loads the Terraform grammar (treeSitter.ts). Idempotent. */
export function initTerraform(): Promise<void> {
  if (parser) return Promise.resolve();
  if (!initializing) {
    initializing = loadParser('tree-sitter-terraform.wasm', '@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm').then((p) => {
      parser = p;
    }, (e: unknown) => {
      initializing = null;
      throw e;
    });
  }
  return initializing;
}

// Trees live in WebAssembly memory, which grows and never shrinks: free each one
// when its file is collected, or earlier with `releaseTree`.
let liveTrees = 0;
const treeRegistry = new FinalizationRegistry<Tree>((tree) => {
  liveTrees--;
  try {
    tree.delete();
  } catch {
    // already gone
  }
});

/**
 * Frees a parsed file's tree now instead of when the file is garbage collected
 * (a workspace scan parses thousands of files between two collections, and the
 * WebAssembly memory their trees took stays taken). Only for a file that nothing
 * reads again: its parse nodes, references computed on first use and the
 * suppression view all read the tree. False when there was nothing to free.
 */
export function releaseTree(file: TfFile): boolean {
  if (!(file instanceof TfFileImpl) || file.released) return false;
  file.released = true;
  treeRegistry.unregister(file);
  liveTrees--;
  try {
    file.tree.delete();
  } catch {
    // already gone
  }
  return true;
}

/** Trees parsed and not freed yet (tests). */
export function liveTreeCount(): number {
  return liveTrees;
}

/**
 * Parses one `.tf` file. Synchronous once `initTerraform()` has resolved. Never
 * throws: syntax errors become `errors`, and whatever structure tree-sitter could
 * recover is still returned.
 */
export function parseTerraform(path: string, text: string, previous?: TfFile): TfFile {
  const lines = LineIndex.of(text, previous?.lines);
  if (!parser) {
    return emptyFile(path, text, lines, [{ range: offsetRange(0, 0), message: 'Terraform parser is not initialised (initTerraform() was not awaited)' }]);
  }
  let tree: Tree | null = null;
  try {
    const span = previous?.tree && !(previous instanceof TfFileImpl && previous.released) ? changedSpan(previous.text, text) : null;
    const old = span ? editedCopy(previous as TfFile & { tree: Tree }, span, lines) : null;
    try {
      tree = parser.parse(text, old);
    } finally {
      old?.delete();
    }
    if (!tree) throw new Error('the parser returned no tree');
    const file = new TfFileImpl(path, text, lines, tree, previous instanceof TfFileImpl && span ? { file: previous, span } : null);
    treeRegistry.register(file, tree, file);
    liveTrees++;
    return file;
  } catch (e) {
    try {
      tree?.delete();
    } catch {
      // ignore
    }
    return emptyFile(path, text, lines, [{ range: offsetRange(0, 0), message: `Cannot parse Terraform: ${(e as Error).message}` }]);
  }
}

/**
 * The previous tree, told where the text changed (one edit: the span between the
 * common prefix and the common suffix), so tree-sitter re-parses only around it.
 */
function editedCopy(previous: TfFile & { tree: Tree }, span: Span, lines: LineIndex): Tree {
  const { start, oldEnd, newEnd } = span;
  const point = (li: LineIndex, o: number) => {
    const p = li.offsetToPosition(o);
    return { row: p.line, column: p.character };
  };
  const copy = previous.tree.copy();
  copy.edit({
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: point(previous.lines, start),
    oldEndPosition: point(previous.lines, oldEnd),
    newEndPosition: point(lines, newEnd),
  });
  return copy;
}

type Span = { start: number; oldEnd: number; newEnd: number };

function emptyFile(path: string, text: string, lines: LineIndex, errors: TfSyntaxError[]): TfFile {
  return { format: 'terraform', path, text, lines, blocks: [], attributes: [], locals: [], references: [], errors, tree: null };
}

// ---------------------------------------------------------------------------
// Model classes

/**
 * A part of a clean file, in source order: a top-level block, or a node outside
 * every block that may hold references (a top-level attribute, as in `.tfvars`).
 * References and per-block work are computed part by part.
 */
interface Segment {
  block: TfBlockImpl | null;
  node: TsNode | null;
}

/**
 * Blocks are read eagerly; references on first access. When the file parsed
 * cleanly and so did its previous version, a top-level block whose text did not
 * change (found by position outside the changed span) is not read again: its
 * model is copied from the previous version's template of it, moved to where the
 * block is now, its parse nodes found in the new tree on first use (by their
 * descendant index under the block's node). References are queried per top-level
 * block (or once for the whole file when no block has them yet), and copied
 * (moved) with the block. A clean file's top-level blocks are read with a tree
 * cursor (no node objects); an expression's node is made on first use.
 */
class TfFileImpl implements TfFile {
  readonly format = 'terraform' as const;
  readonly blocks: TfBlock[] = [];
  readonly attributes: TfAttribute[] = [];
  readonly locals: TfAttribute[] = [];
  readonly errors: TfSyntaxError[] = [];
  declare readonly references: TfReference[];
  /** Parsed without errors: its blocks can be reused by the next version. */
  readonly clean: boolean;
  /** The tree was freed (`releaseTree`): nothing may read this file's parse any more. */
  released = false;
  private readonly segments: Segment[] = [];

  constructor(readonly path: string, readonly text: string, readonly lines: LineIndex, readonly tree: Tree, previous: { file: TfFileImpl; span: Span } | null = null) {
    const root = tree.rootNode;
    this.clean = !root.hasError;
    // An own, enumerable accessor, so that `{ ...file }` still carries the references.
    let refs: TfReference[] | null = null;
    Object.defineProperty(this, 'references', {
      enumerable: true,
      get: () => (refs ??= this.clean ? this.segmentReferences() : collectReferences(tree, text)),
    });
    const reuse = this.clean && previous && previous.file.clean ? previous.file.reuse(previous.span) : null;
    for (const child of root.children) {
      if (!child) continue;
      if (child.type !== 'body') {
        if (child.type !== 'comment') this.segments.push({ block: null, node: child });
        continue;
      }
      if (!this.clean) {
        readBody(child, text, this, null, this.blocks, this.attributes);
        continue;
      }
      for (const c of child.children) {
        if (!c) continue;
        if (c.type === 'block') {
          const start = c.startIndex;
          const end = c.endIndex;
          const key = text.slice(start, end);
          const old = reuse?.(start, end, key);
          const b = old ? TfBlockImpl.fromTemplate(old, start, null, this, c) : readTopBlock(c, text, this);
          b.top = c;
          b.text = key;
          this.blocks.push(b);
          this.segments.push({ block: b, node: null });
        } else if (c.type === 'attribute') {
          const a = readAttribute(c, text, this, null);
          if (a) this.attributes.push(a);
          this.segments.push({ block: null, node: c });
        } else if (c.type !== 'comment') {
          this.segments.push({ block: null, node: c });
        }
      }
    }
    for (const b of this.blocks) if (b.type === 'locals') this.locals.push(...b.attributes);
    if (root.hasError) collectErrors(root, text, this.errors);
  }

  /**
   * For the next version of the file, changed in `span`: the template of one of
   * this version's top-level blocks with the text the next version has at
   * [start, end) (`key`), if any. Text before and after the change is the same in
   * both versions, so a block there is found by its position; in the change, by
   * its text among the blocks the change touched.
   */
  reuse(span: Span): (start: number, end: number, key: string) => BlockTpl | undefined {
    const blocks = this.blocks as TfBlockImpl[];
    const delta = span.newEnd - span.oldEnd;
    let byText: Map<string, TfBlockImpl> | null = null;
    return (start, end, key) => {
      if (end <= span.start || start >= span.newEnd) {
        const d = start >= span.newEnd ? delta : 0;
        // Blocks are in source order: a binary search by start.
        const at = start - d;
        const b = blocks[firstAtOrAfter(blocks, at, (x) => x.range.start)];
        return b && b.range.start === at && b.range.end === end - d ? b.template() : undefined;
      }
      if (!byText) {
        byText = new Map();
        for (const b of blocks) {
          if (b.range.end >= span.start && b.range.start <= span.oldEnd && b.text !== null) byText.set(b.text, b);
        }
      }
      return byText.get(key)?.template();
    };
  }

  parts(): { block: TfBlock | null; node: TsNode }[] {
    return this.segments.map((s) => ({ block: s.block, node: s.block ? s.block.top! : s.node! }));
  }

  private segmentReferences(): TfReference[] {
    // Nothing to copy from a previous version (a fresh parse): one query over the
    // whole tree finds what one query per part would (every match lies inside one
    // part, comments hold none), at less cost; each block then gets its share.
    if (this.segments.length > 1 && this.segments.every((s) => !s.block || !s.block.hasRefs())) return this.wholeReferences();
    const out: TfReference[] = [];
    for (const s of this.segments) {
      const refs = s.block ? s.block.references(this.text) : collectReferences(s.node!, this.text);
      for (const r of refs) out.push(r);
    }
    return out;
  }

  private wholeReferences(): TfReference[] {
    const all = collectReferences(this.tree, this.text);
    // Both in source order: each block's references are those starting inside it.
    let i = 0;
    for (const s of this.segments) {
      const b = s.block;
      if (!b) continue;
      while (i < all.length && all[i].range.start < b.range.start) i++;
      const from = i;
      while (i < all.length && all[i].range.start < b.range.end) i++;
      b.setReferences(all.slice(from, i));
    }
    return all;
  }
}

/**
 * A top-level block's model as plain data, offsets relative to the block's
 * start, no parse nodes and nothing of the file it was read from: what a later
 * version of the file copies when the block's text did not change. Expression
 * details computed on a copy are written back, so that the next copy has them.
 */
interface BlockTpl {
  type: string;
  typeRange: OffsetRange;
  range: OffsetRange;
  labels: TfLabel[];
  openBrace: number;
  closeBrace: number;
  address: string | null;
  attributes: AttrTpl[];
  blocks: BlockTpl[];
  /** Top-level blocks: the references, once queried. */
  refs: TfReference[] | null;
  /** The references as last placed (absolute), with the block's start then. */
  placedRefs?: { base: number; refs: TfReference[] };
  /** What `blockRecord` keeps for the block's text. */
  record?: unknown;
}

interface AttrTpl {
  name: string;
  nameRange: OffsetRange;
  range: OffsetRange;
  expr: ExprTpl;
}

interface ExprTpl {
  range: OffsetRange;
  /** The expression's descendant index under the top-level block's node. */
  at: number;
  kind: TfExprKind | undefined;
  value: string | number | boolean | null | undefined;
  valueDone: boolean;
  /** null: not computed yet. */
  content: OffsetRange | undefined | null;
}

/** Where a block copied from a template sits: the template, the top-level block's start, file and node. */
interface Placement {
  tpl: BlockTpl;
  base: number;
  owner: TfFileImpl;
  top: TsNode;
}

class TfBlockImpl implements TfBlock {
  labels: TfLabel[] = [];
  openBrace = -1;
  closeBrace = -1;
  address: string | null = null;
  /** A top-level block's node in its file's tree. */
  top: TsNode | null = null;
  /** A top-level block's references (absolute offsets), once queried. */
  refs: TfReference[] | null = null;
  /** A top-level block's text (clean files: the string its template was looked up by, hash computed). */
  text: string | null = null;
  private attributesV: TfAttribute[] | null = [];
  private blocksV: TfBlock[] | null = [];
  /** A block copied from a template: attributes, nested blocks and references made on first use. */
  private placed: Placement | null = null;
  /** The block as a template (built on demand for a block read from the tree). */
  private tplV: BlockTpl | null = null;

  constructor(
    readonly type: string,
    readonly typeRange: OffsetRange,
    readonly range: OffsetRange,
    readonly parent: TfBlock | null,
  ) {}

  /** A block (top-level when `parent` is null) copied from `tpl`, placed at `base` in `owner`. */
  static fromTemplate(tpl: BlockTpl, base: number, parent: TfBlockImpl | null, owner: TfFileImpl, top: TsNode): TfBlockImpl {
    const b = new TfBlockImpl(tpl.type, shift(tpl.typeRange, base), shift(tpl.range, base), parent);
    b.labels = mapDense(tpl.labels, (l) => ({ value: l.value, range: shift(l.range, base), fullRange: shift(l.fullRange, base) }));
    b.openBrace = tpl.openBrace < 0 ? -1 : tpl.openBrace + base;
    b.closeBrace = tpl.closeBrace + base;
    b.address = tpl.address;
    b.placed = { tpl, base, owner, top };
    b.tplV = tpl;
    b.attributesV = null;
    b.blocksV = null;
    return b;
  }

  get attributes(): TfAttribute[] {
    if (!this.attributesV) {
      const { tpl, base, owner, top } = this.placed!;
      this.attributesV = mapDense(tpl.attributes, (a) => ({
        name: a.name,
        nameRange: shift(a.nameRange, base),
        range: shift(a.range, base),
        expr: TfExprImpl.fromTemplate(a.expr, base, owner, top),
        block: this,
      }));
    }
    return this.attributesV;
  }

  get blocks(): TfBlock[] {
    if (!this.blocksV) {
      const { tpl, base, owner, top } = this.placed!;
      this.blocksV = mapDense(tpl.blocks, (c) => TfBlockImpl.fromTemplate(c, base, this, owner, top));
    }
    return this.blocksV;
  }

  attr(name: string): TfAttribute | undefined {
    return this.attributes.find((a) => a.name === name);
  }

  blocksOfType(type: string): TfBlock[] {
    return this.blocks.filter((b) => b.type === type);
  }

  /** The references of this top-level block are known or can be copied (no query needed). */
  hasRefs(): boolean {
    return this.refs !== null || !!this.placed?.tpl.refs;
  }

  /** The references inside this top-level block, found by a query over more than it. */
  setReferences(refs: TfReference[]): void {
    this.refs = refs;
    const p = this.placed;
    if (p) p.tpl.refs = refs.map((r) => moveRef(r, -p.base));
  }

  /** The references inside a top-level block. */
  references(src: string): TfReference[] {
    if (!this.refs) {
      const p = this.placed;
      if (p?.tpl.refs) {
        // The block did not move since the last copy: the same references.
        const last = p.tpl.placedRefs;
        this.refs = last && last.base === p.base ? last.refs : mapDense(p.tpl.refs, (r) => moveRef(r, p.base));
        p.tpl.placedRefs = { base: p.base, refs: this.refs };
      } else {
        this.refs = this.top ? collectReferences(this.top, src) : [];
        if (p) p.tpl.refs = this.refs.map((r) => moveRef(r, -p.base));
      }
    }
    return this.refs;
  }

  /** This (top-level) block as a template, offsets relative to `base` (its start). */
  template(base = this.range.start): BlockTpl {
    if (!this.tplV) {
      this.tplV = {
        type: this.type,
        typeRange: shift(this.typeRange, -base),
        range: shift(this.range, -base),
        labels: this.labels.map((l) => ({ value: l.value, range: shift(l.range, -base), fullRange: shift(l.fullRange, -base) })),
        openBrace: this.openBrace < 0 ? -1 : this.openBrace - base,
        closeBrace: this.closeBrace - base,
        address: this.address,
        attributes: this.attributes.map((a) => ({
          name: a.name, nameRange: shift(a.nameRange, -base), range: shift(a.range, -base), expr: (a.expr as TfExprImpl).template(base),
        })),
        blocks: this.blocks.map((c) => (c as TfBlockImpl).template(base)),
        refs: this.parent || !this.refs ? null : this.refs.map((r) => moveRef(r, -base)),
      };
    }
    return this.tplV;
  }
}

function moveRef(r: TfReference, d: number): TfReference {
  return { parts: r.parts, range: shift(r.range, d), partRanges: mapDense(r.partRanges, (p) => shift(p, d)), indexed: r.indexed };
}

/** Expression details are computed on first use: most attributes are never inspected. */
class TfExprImpl implements TfExpr {
  private kindCache: TfExprKind | undefined;
  private valueCache: string | number | boolean | null | undefined;
  private valueDone = false;
  private contentCache: OffsetRange | undefined | null = null;
  private nodeCache: TsNode | null;
  /** A top-level block's expression: its descendant index under the block's node (-1: none). */
  at = -1;
  /** The node of the top-level block holding this expression, for finding `node`. */
  top: TsNode | null = null;

  constructor(
    node: TsNode | null,
    readonly range: OffsetRange,
    readonly src: string,
    /** The file: keeps it, and so its tree (freed with the file), alive as long as the node is in use. */
    readonly owner: object | null,
  ) {
    this.nodeCache = node;
  }

  get node(): TsNode {
    if (!this.nodeCache) {
      this.nodeCache = this.cursor().currentNode;
    }
    return this.nodeCache;
  }

  /** The cursor on this expression (found by its descendant index when its node was not made). */
  cursor(): TreeSitter.TreeCursor {
    if (this.nodeCache) return cursorAt(this.nodeCache);
    if (this.at < 0 || !this.top) throw new Error('expression node not found');
    const c = cursorAt(this.top);
    c.gotoDescendant(this.at);
    return c;
  }

  /**
   * An expression under this one, at the cursor (which `cursor()` put on this
   * one): found the way this one is (by descendant index under the top-level
   * block's node, or by its own node).
   */
  childAt(c: TreeSitter.TreeCursor): TfExprImpl {
    const r = offsetRange(c.startIndex, c.endIndex);
    if (this.nodeCache) return new TfExprImpl(c.currentNode, r, this.src, this.owner);
    const e = new TfExprImpl(null, r, this.src, this.owner);
    e.at = c.currentDescendantIndex;
    e.top = this.top;
    return e;
  }

  /** The template this expression was copied from: details computed here are written back. */
  private tpl: ExprTpl | null = null;

  static fromTemplate(t: ExprTpl, base: number, owner: TfFileImpl, top: TsNode): TfExprImpl {
    const e = new TfExprImpl(null, shift(t.range, base), owner.text, owner);
    e.at = t.at;
    e.top = top;
    e.tpl = t;
    e.kindCache = t.kind;
    e.valueCache = t.value;
    e.valueDone = t.valueDone;
    e.contentCache = t.content ? shift(t.content, base) : t.content;
    return e;
  }

  /** This expression as a template, offsets relative to `base`. */
  template(base: number): ExprTpl {
    if (this.at < 0) throw new Error('expression outside a top-level block');
    return {
      range: shift(this.range, -base),
      at: this.at,
      kind: this.kindCache,
      value: this.valueCache,
      valueDone: this.valueDone,
      content: this.contentCache ? shift(this.contentCache, -base) : this.contentCache,
    };
  }

  get text(): string {
    return this.src.slice(this.range.start, this.range.end);
  }

  get kind(): TfExprKind {
    if (this.kindCache === undefined) this.readShape();
    return this.kindCache!;
  }

  get value(): string | number | boolean | null | undefined {
    if (!this.valueDone) this.readShape();
    return this.valueCache;
  }

  get contentRange(): OffsetRange | undefined {
    if (this.contentCache === null) this.readShape();
    return this.contentCache as OffsetRange | undefined;
  }

  /**
   * Kind, value and content range, read together (one walk of the node's first
   * levels). An expression of a clean file (`at` set) whose text alone says what
   * it is (`textShape`) is not looked up in the tree.
   */
  private readShape(): void {
    this.store((this.at >= 0 ? textShape(this.src, this.range.start, this.range.end) : null) ?? exprShape(this.cursor(), this.src));
  }

  /**
   * The kind when it is known without a walk of the tree (read already, or read
   * off the text); undefined otherwise. For the readers of collections and calls,
   * whose own walk tells the kind: `collection(kind)` records what they found.
   */
  cheapKind(): TfExprKind | undefined {
    if (this.kindCache === undefined && this.at >= 0) {
      const sh = textShape(this.src, this.range.start, this.range.end);
      if (sh) this.store(sh);
    }
    return this.kindCache;
  }

  /** A walk found this expression to be an object, tuple or call (whose shape has no value nor content). */
  found(kind: 'object' | 'tuple' | 'call'): void {
    if (this.kindCache === undefined) this.store(kind === 'object' ? OBJECT : kind === 'tuple' ? TUPLE : CALL);
  }

  private store(sh: Shape): void {
    this.kindCache = sh.kind;
    this.valueCache = sh.value;
    this.valueDone = true;
    this.contentCache = sh.content;
    const t = this.tpl;
    if (t) {
      t.kind = sh.kind;
      t.value = sh.value;
      t.valueDone = true;
      t.content = sh.content && shift(sh.content, t.range.start - this.range.start);
    }
  }
}

function range(n: { startIndex: number; endIndex: number }): OffsetRange {
  return offsetRange(n.startIndex, n.endIndex);
}

function shift(r: OffsetRange, delta: number): OffsetRange {
  return offsetRange(r.start + delta, r.end + delta);
}

/** Blocks nested deeper than this are not read (no configuration nests so; the model stays shallow enough to walk). */
export const MAX_BLOCK_DEPTH = 200;

/** A body (of a file with syntax errors, or of a top-level attribute) read node by node. */
function readBody(body: TsNode, src: string, owner: object, parent: TfBlockImpl | null, blocks: TfBlock[], attributes: TfAttribute[], depth = 0): void {
  if (depth > MAX_BLOCK_DEPTH) return;
  for (const child of body.children) {
    if (!child) continue;
    if (child.type === 'block') blocks.push(readBlock(child, src, owner, parent, depth));
    else if (child.type === 'attribute') {
      const a = readAttribute(child, src, owner, parent);
      if (a) attributes.push(a);
    }
  }
}

function readAttribute(node: TsNode, src: string, owner: object, block: TfBlock | null): TfAttribute | null {
  const name = node.firstChild;
  const expr = node.lastChild;
  if (!name || name.type !== 'identifier' || !expr || expr.type !== 'expression') return null;
  const e = new TfExprImpl(expr, range(expr), src, owner);
  return {
    name: src.slice(name.startIndex, name.endIndex),
    nameRange: range(name),
    range: range(node),
    expr: e,
    block,
  };
}

function readBlock(node: TsNode, src: string, owner: object, parent: TfBlockImpl | null, depth: number): TfBlockImpl {
  const children = node.children;
  const typeNode = children[0];
  const typeRange = typeNode ? range(typeNode) : offsetRange(node.startIndex, node.startIndex);
  const block = new TfBlockImpl(src.slice(typeRange.start, typeRange.end), typeRange, range(node), parent);
  for (let i = 1; i < children.length; i++) {
    const c = children[i];
    if (!c) continue;
    switch (c.type) {
      case 'string_lit': {
        const content = stringContent(c, src);
        block.labels.push({ value: unescapeTemplateLiteral(src.slice(content.start, content.end)), range: content, fullRange: range(c) });
        break;
      }
      case 'identifier':
        block.labels.push({ value: src.slice(c.startIndex, c.endIndex), range: range(c), fullRange: range(c) });
        break;
      // An opening brace the parser had to assume (missing from the text) is no place for edits.
      case 'block_start':
        if (!c.isMissing) block.openBrace = c.startIndex;
        break;
      case 'block_end':
        block.closeBrace = c.startIndex;
        break;
      case 'body':
        readBody(c, src, owner, block, block.blocks, block.attributes, depth + 1);
        break;
    }
  }
  if (block.closeBrace < 0) block.closeBrace = node.endIndex;
  if (!parent) block.address = addressOf(block.type, block.labels.map((l) => l.value));
  return block;
}

/**
 * A clean file's top-level block, read with the cursor: the same model as
 * `readBlock`, its expressions found by descendant index under `top` (so that a
 * moved copy of the model finds its nodes in a later tree too).
 */
function readTopBlock(top: TsNode, src: string, owner: TfFileImpl): TfBlockImpl {
  const c = cursorAt(top);
  return readBlockAt(c, src, owner, null, 0, top);
}

/** `readBlock` at the cursor's node (the cursor is back on it at the end). */
function readBlockAt(c: TreeSitter.TreeCursor, src: string, owner: object, parent: TfBlockImpl | null, depth: number, top: TsNode): TfBlockImpl {
  const start = c.startIndex;
  const end = c.endIndex;
  if (!c.gotoFirstChild()) {
    const b = new TfBlockImpl(src.slice(start, start), offsetRange(start, start), offsetRange(start, end), parent);
    b.closeBrace = end;
    if (!parent) b.address = addressOf(b.type, []);
    return b;
  }
  const typeRange = offsetRange(c.startIndex, c.endIndex);
  const block = new TfBlockImpl(src.slice(typeRange.start, typeRange.end), typeRange, offsetRange(start, end), parent);
  while (c.gotoNextSibling()) {
    switch (c.nodeType) {
      case 'string_lit': {
        const fullRange = offsetRange(c.startIndex, c.endIndex);
        const content = cursorStringContent(c, src);
        c.gotoParent();
        block.labels.push({ value: unescapeTemplateLiteral(src.slice(content.start, content.end)), range: content, fullRange });
        break;
      }
      case 'identifier': {
        const s = c.startIndex;
        const e = c.endIndex;
        block.labels.push({ value: src.slice(s, e), range: offsetRange(s, e), fullRange: offsetRange(s, e) });
        break;
      }
      // An opening brace the parser had to assume (missing from the text) is no place for edits.
      case 'block_start':
        if (!c.nodeIsMissing) block.openBrace = c.startIndex;
        break;
      case 'block_end':
        block.closeBrace = c.startIndex;
        break;
      case 'body':
        if (depth + 1 <= MAX_BLOCK_DEPTH && c.gotoFirstChild()) {
          readBodyAt(c, src, owner, block, block.blocks, block.attributes, depth + 1, top);
          c.gotoParent();
        }
        break;
    }
  }
  c.gotoParent();
  if (block.closeBrace < 0) block.closeBrace = end;
  if (!parent) block.address = addressOf(block.type, block.labels.map((l) => l.value));
  return block;
}

/** `readBody` from the cursor on the body's first child (the cursor ends on its last child). */
function readBodyAt(c: TreeSitter.TreeCursor, src: string, owner: object, parent: TfBlockImpl, blocks: TfBlock[], attributes: TfAttribute[], depth: number, top: TsNode): void {
  do {
    const t = c.nodeType;
    if (t === 'block') blocks.push(readBlockAt(c, src, owner, parent, depth, top));
    else if (t === 'attribute') {
      const a = readAttributeAt(c, src, owner, parent, top);
      if (a) attributes.push(a);
    }
  } while (c.gotoNextSibling());
}

/** `readAttribute` at the cursor's node (the cursor is back on it at the end). */
function readAttributeAt(c: TreeSitter.TreeCursor, src: string, owner: object, block: TfBlock, top: TsNode): TfAttribute | null {
  // A node starts where its first child starts and ends where its last child ends
  // (tree-sitter sums the children's sizes), so the attribute's range is read off
  // its name and its expression.
  const attrStart = c.startIndex;
  const end = c.endIndex;
  if (!c.gotoLastChild()) return null;
  if (c.nodeType !== 'expression') {
    c.gotoParent();
    return null;
  }
  const exprStart = c.startIndex;
  const at = c.currentDescendantIndex;
  c.gotoParent();
  // The name is the first child (the grammar's `identifier = expression`), so it
  // starts where the attribute does; when only blanks and `=` lie between the
  // longest name there and the expression, that is the name token (a shorter one
  // would leave name characters before the `=`). Otherwise it is read from the tree.
  let nameStart = attrStart;
  let nameEnd = nameTokenEnd(src, attrStart, exprStart);
  if (nameEnd < 0) {
    c.gotoFirstChild();
    const isName = typeAt(c) === 'identifier';
    nameStart = isName ? c.startIndex : 0;
    nameEnd = isName ? c.endIndex : 0;
    c.gotoParent();
    if (!isName) return null;
  }
  const e = new TfExprImpl(null, offsetRange(exprStart, end), src, owner);
  e.at = at;
  e.top = top;
  return {
    name: src.slice(nameStart, nameEnd),
    nameRange: offsetRange(nameStart, nameEnd),
    range: offsetRange(nameStart, end),
    expr: e,
    block,
  };
}

const NAME_TOKEN = /[\p{ID_Start}_][\p{ID_Continue}-]*/uy;

/**
 * The end of the name token at `start` when the text from it to `exprStart` is
 * the name, blanks, `=` and blanks (no comment, nothing else); -1 otherwise.
 */
export function nameTokenEnd(src: string, start: number, exprStart: number): number {
  // ASCII names by hand (no match object); the Unicode classes by the regex.
  let end = start;
  const c0 = src.charCodeAt(start);
  if (c0 < 128) {
    if (!isNameStart(c0)) return -1;
    for (end = start + 1; end < src.length; end++) {
      const ch = src.charCodeAt(end);
      if (ch >= 128) {
        end = -1;
        break;
      }
      if (!isNameStart(ch) && !isDigit(ch) && ch !== 45) break;
    }
  } else end = -1;
  if (end < 0) {
    NAME_TOKEN.lastIndex = start;
    const m = NAME_TOKEN.exec(src);
    if (!m) return -1;
    end = start + m[0].length;
  }
  let i = end;
  while (i < exprStart && (src.charCodeAt(i) === 32 || src.charCodeAt(i) === 9)) i++;
  if (i >= exprStart || src.charCodeAt(i) !== 61) return -1;
  i++;
  while (i < exprStart && (src.charCodeAt(i) === 32 || src.charCodeAt(i) === 9)) i++;
  return i === exprStart && end <= exprStart ? end : -1;
}

const ADDRESS_PREFIX: Record<string, string> = { variable: 'var', data: 'data', module: 'module', output: 'output', ephemeral: 'ephemeral' };

function addressOf(type: string, labels: string[]): string {
  if (type === 'resource') return labels.join('.');
  const prefix = ADDRESS_PREFIX[type] ?? type;
  return [prefix, ...labels].join('.');
}

/** The range between the quotes of a `string_lit` / `quoted_template` (to the end when unterminated). */
function stringContent(n: TsNode, src: string): OffsetRange {
  const first = n.firstChild;
  const last = n.lastChild;
  const start = first && first.type === 'quoted_template_start' ? first.endIndex : n.startIndex;
  const end = last && last.type === 'quoted_template_end' ? last.startIndex : n.endIndex;
  return offsetRange(start, Math.max(start, Math.min(end, src.length)));
}

/** Resolves HCL string escapes and the `$${` / `%%{` template escapes. */
export function unescapeTemplateLiteral(s: string): string {
  if (s.indexOf('\\') < 0 && s.indexOf('$${') < 0 && s.indexOf('%%{') < 0) return s;
  return s.replace(/\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))|\$\$\{|%%\{/gs, (m, u4, u8, ch) => {
    if (m === '$${') return '${';
    if (m === '%%{') return '%{';
    if (u4) return String.fromCharCode(parseInt(u4, 16));
    if (u8) {
      const cp = parseInt(u8, 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    switch (ch) {
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case '"': return '"';
      case '\\': return '\\';
      default: return m;
    }
  });
}

// ---------------------------------------------------------------------------
// Expressions

/** The one meaningful child of an `expression` node, when it has exactly one. */
function soleChild(expr: TsNode): TsNode | null {
  return expr.childCount === 1 ? expr.firstChild : null;
}

/** What an expression is (`TfExpr` kind, value and content range). */
export interface Shape {
  kind: TfExprKind;
  value: string | number | boolean | null | undefined;
  content: OffsetRange | undefined;
}

const OTHER: Shape = { kind: 'other', value: undefined, content: undefined };
const OBJECT: Shape = { kind: 'object', value: undefined, content: undefined };
const TUPLE: Shape = { kind: 'tuple', value: undefined, content: undefined };
const CALL: Shape = { kind: 'call', value: undefined, content: undefined };

// One tree cursor, moved from node to node (a cursor belongs to one tree: a node of
// another tree gets a new one). Reading with it makes no node objects, and each of
// its steps costs less than a node's `firstChild`.
let cursor: TreeSitter.TreeCursor | null = null;
let cursorTree: Tree | null = null;

function cursorAt(node: TsNode): TreeSitter.TreeCursor {
  if (cursor && cursorTree === node.tree) {
    cursor.reset(node);
    return cursor;
  }
  // Deleting a cursor frees its own memory only, never reads its tree (which may be freed already).
  cursor?.delete();
  cursorTree = node.tree;
  cursor = node.walk();
  return cursor;
}

/**
 * Kind, value and content range of `expr` (see `TfExpr`), in one pass with the
 * cursor over the first levels of the node. The kind is read from the sole child
 * (the first child for a traversal); `-1` is a number to everyone reading the file.
 */
function exprShape(c: TreeSitter.TreeCursor, src: string): Shape {
  if (!c.gotoFirstChild()) return OTHER;
  const first = c.nodeType;
  // A sole child (the cursor stays on it when there is no next sibling).
  if (c.gotoNextSibling()) return first === 'variable_expr' ? { kind: 'reference', value: undefined, content: undefined } : OTHER;
  switch (first) {
    case 'variable_expr': return { kind: 'reference', value: undefined, content: undefined };
    case 'literal_value': {
      const soleStart = c.startIndex;
      const soleEnd = c.endIndex;
      if (!c.gotoFirstChild()) return OTHER;
      switch (c.nodeType) {
        case 'string_lit': {
          const content = cursorStringContent(c, src);
          return { kind: 'string', value: unescapeTemplateLiteral(src.slice(content.start, content.end)), content };
        }
        case 'numeric_lit': return { kind: 'number', value: Number(src.slice(c.startIndex, c.endIndex)), content: undefined };
        case 'bool_lit': return { kind: 'bool', value: src.slice(soleStart, soleEnd) === 'true', content: undefined };
        case 'null_lit': return { kind: 'null', value: null, content: undefined };
      }
      return OTHER;
    }
    case 'template_expr': {
      if (!c.gotoFirstChild()) return { kind: 'template', value: undefined, content: undefined };
      if (c.nodeType !== 'heredoc_template') return { kind: 'template', value: undefined, content: cursorStringContent(c, src) };
      return { kind: 'heredoc', value: undefined, content: cursorHeredocContent(c, src) };
    }
    case 'function_call': return { kind: 'call', value: undefined, content: undefined };
    case 'collection_value': {
      if (!c.gotoFirstChild()) return OTHER;
      const t = c.nodeType;
      return t === 'object' ? { kind: 'object', value: undefined, content: undefined } : t === 'tuple' ? { kind: 'tuple', value: undefined, content: undefined } : OTHER;
    }
    case 'operation': {
      // `-1`: a unary operation of two children, `-` and a numeric literal.
      if (!c.gotoFirstChild() || typeAt(c) !== 'unary_operation') return OTHER;
      if (!c.gotoFirstChild() || typeAt(c) !== '-' || !c.gotoNextSibling()) return OTHER;
      const litIsLast = !c.gotoNextSibling();
      if (!litIsLast || typeAt(c) !== 'literal_value' || !c.gotoFirstChild() || typeAt(c) !== 'numeric_lit') return OTHER;
      return { kind: 'number', value: -Number(src.slice(c.startIndex, c.endIndex)), content: undefined };
    }
  }
  return OTHER;
}

const REFERENCE: Shape = { kind: 'reference', value: undefined, content: undefined };

function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}

function isNameStart(ch: number): boolean {
  return (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || ch === 95;
}

/**
 * The shape `exprShape` reads from the tree, read off the text of an expression
 * of a clean file when the text is one of the simplest forms, whose parse cannot
 * be anything else: a quoted string with no escape, interpolation, directive,
 * quote or line break inside (`"abc"`), a decimal integer (`80`, `-1`), `true`,
 * `false`, `null`, or a dotted traversal of plain names (`var.x`, `aws_s3_bucket.b.id`).
 * Null for anything else (the tree is read then). Tested against `exprShape`.
 */
export function textShape(src: string, start: number, end: number): Shape | null {
  if (end <= start) return null;
  const c0 = src.charCodeAt(start);
  if (c0 === 34) {
    if (end - start < 2 || src.charCodeAt(end - 1) !== 34) return null;
    for (let i = start + 1; i < end - 1; i++) {
      const ch = src.charCodeAt(i);
      // " \ $ % \n \r
      if (ch === 34 || ch === 92 || ch === 36 || ch === 37 || ch === 10 || ch === 13) return null;
    }
    return { kind: 'string', value: src.slice(start + 1, end - 1), content: offsetRange(start + 1, end - 1) };
  }
  if (isDigit(c0) || c0 === 45) {
    let i = c0 === 45 ? start + 1 : start;
    if (i >= end) return null;
    // No leading zero (`0` alone is fine).
    if (src.charCodeAt(i) === 48 && i + 1 < end) return null;
    for (; i < end; i++) if (!isDigit(src.charCodeAt(i))) return null;
    const n = Number(src.slice(c0 === 45 ? start + 1 : start, end));
    return { kind: 'number', value: c0 === 45 ? -n : n, content: undefined };
  }
  if (!isNameStart(c0)) return null;
  let dots = 0;
  let partStart = start;
  for (let i = start; i < end; i++) {
    const ch = src.charCodeAt(i);
    if (ch === 46) {
      // A part is a plain name: a letter or `_`, then letters, digits or `_`.
      if (i === partStart || !isNameStart(src.charCodeAt(partStart))) return null;
      dots++;
      partStart = i + 1;
    } else if (!isNameStart(ch) && !isDigit(ch)) return null;
  }
  if (partStart === end || !isNameStart(src.charCodeAt(partStart))) return null;
  const firstEnd = dots ? src.indexOf('.', start) : end;
  const first = src.slice(start, firstEnd);
  if (first === 'true' || first === 'false' || first === 'null') {
    if (dots) return null;
    return first === 'null' ? { kind: 'null', value: null, content: undefined } : { kind: 'bool', value: first === 'true', content: undefined };
  }
  // Keywords of the expression syntax are no names to start a traversal with.
  if (first === 'for' || first === 'in' || first === 'if' || first === 'else' || first === 'endif' || first === 'endfor') return null;
  return REFERENCE;
}

/** The shape of an expression read from the tree, never from its text (tests compare it with `textShape`). */
export function treeShape(expr: TfExpr): Shape | null {
  return expr instanceof TfExprImpl && expr.at >= 0 ? exprShape(expr.cursor(), expr.src) : null;
}

/** The type of the cursor's node (a call: the cursor moves between reads). */
function typeAt(c: TreeSitter.TreeCursor): string {
  return c.nodeType;
}

/** `stringContent` of the cursor's node (the cursor ends on one of its children). */
function cursorStringContent(c: TreeSitter.TreeCursor, src: string): OffsetRange {
  const nStart = c.startIndex;
  const nEnd = c.endIndex;
  let start = nStart;
  let end = nEnd;
  if (c.gotoFirstChild()) {
    if (c.nodeType === 'quoted_template_start') start = c.endIndex;
    while (c.gotoNextSibling());
    if (c.nodeType === 'quoted_template_end') end = c.startIndex;
  }
  return offsetRange(start, Math.max(start, Math.min(end, src.length)));
}

/**
 * A heredoc's body lines, the cursor on the `heredoc_template`: from the line
 * after `<<EOT` to the start of the closing marker's line.
 */
function cursorHeredocContent(c: TreeSitter.TreeCursor, src: string): OffsetRange | undefined {
  const hEnd = c.endIndex;
  let openEnd = -1;
  let closeStart = -1;
  if (c.gotoFirstChild()) {
    do {
      if (c.nodeType === 'heredoc_identifier') {
        if (openEnd < 0) openEnd = c.endIndex;
        else closeStart = c.startIndex;
      }
    } while (c.gotoNextSibling());
  }
  if (openEnd < 0) return undefined;
  const nl = src.indexOf('\n', openEnd);
  const start = nl < 0 || nl > hEnd ? hEnd : nl + 1;
  let end = closeStart >= 0 ? closeStart : hEnd;
  while (end > start && (src[end - 1] === ' ' || src[end - 1] === '\t')) end--;
  return offsetRange(start, Math.max(start, end));
}

function exprFromChild(node: TsNode, parent: TfExpr): TfExpr {
  if (parent instanceof TfExprImpl) return new TfExprImpl(node, range(node), parent.src, parent.owner);
  // Not built by this parser: rebuild a source string wide enough for the offsets.
  return new TfExprImpl(node, range(node), ' '.repeat(node.startIndex) + node.text, null);
}

/** `jsonencode(...)` and every other call: name and argument expressions. */
export function callOf(expr: TfExpr): TfCall | undefined {
  if (expr instanceof TfExprImpl) return callAt(expr);
  const call = soleChild(expr.node);
  if (!call || call.type !== 'function_call') return undefined;
  const nameNode = call.firstChild;
  if (!nameNode) return undefined;
  const args: TfExpr[] = [];
  let expandFinal = false;
  for (const c of call.children) {
    if (c?.type !== 'function_arguments') continue;
    for (const a of c.children) {
      if (a?.type === 'expression') args.push(exprFromChild(a, expr));
      else if (a?.type === 'ellipsis' || a?.type === '...') expandFinal = true;
    }
  }
  return { name: nameNode.text, nameRange: range(nameNode), args, expandFinal };
}

/** The items of an object expression (`{ a = 1, "b" = 2 }`), in order. */
export function objectItems(expr: TfExpr): TfObjectItem[] | undefined {
  if (expr instanceof TfExprImpl) return objectItemsAt(expr);
  const coll = soleChild(expr.node);
  const obj = coll?.type === 'collection_value' ? coll.firstChild : null;
  if (!obj || obj.type !== 'object') return undefined;
  const items: TfObjectItem[] = [];
  for (const el of obj.children) {
    if (el?.type !== 'object_elem') continue;
    const k = el.firstChild;
    const v = el.lastChild;
    if (!k || !v || k.type !== 'expression' || v.type !== 'expression' || k.equals(v)) continue;
    const keyExpr = exprFromChild(k, expr);
    let key: string | null = null;
    let keyRange = keyExpr.range;
    const kSole = soleChild(k);
    if (kSole?.type === 'variable_expr') key = kSole.text;
    else if (keyExpr.kind === 'string') {
      key = keyExpr.value as string;
      keyRange = keyExpr.contentRange ?? keyRange;
    }
    items.push({ key, keyExpr, keyRange, value: exprFromChild(v, expr), range: range(el) });
  }
  return items;
}

/** The elements of a tuple expression (`[a, b]`). */
export function tupleItems(expr: TfExpr): TfExpr[] | undefined {
  if (expr instanceof TfExprImpl) return tupleItemsAt(expr);
  const coll = soleChild(expr.node);
  const tup = coll?.type === 'collection_value' ? coll.firstChild : null;
  if (!tup || tup.type !== 'tuple') return undefined;
  const out: TfExpr[] = [];
  for (const c of tup.children) if (c?.type === 'expression') out.push(exprFromChild(c, expr));
  return out;
}

// The same three read with the cursor (an expression made by this parser): no
// node objects, the parts found the way their expression is.

/** The cursor on the sole child of `expr`, if it has exactly one and it is of `type`. */
function soleChildAt(expr: TfExprImpl, type: string): TreeSitter.TreeCursor | null {
  const c = expr.cursor();
  if (!c.gotoFirstChild() || c.gotoNextSibling() || typeAt(c) !== type) return null;
  return c;
}

function callAt(expr: TfExprImpl): TfCall | undefined {
  // The kind says the same as the sole child's type: when it is not known yet,
  // the walk below finds it (and records it).
  const k = expr.cheapKind();
  if (k !== undefined && k !== 'call') return undefined;
  const c = soleChildAt(expr, 'function_call');
  if (!c) return undefined;
  expr.found('call');
  if (!c.gotoFirstChild()) return undefined;
  const nameStart = c.startIndex;
  const nameEnd = c.endIndex;
  const args: TfExpr[] = [];
  let expandFinal = false;
  do {
    if (typeAt(c) !== 'function_arguments' || !c.gotoFirstChild()) continue;
    do {
      const t = typeAt(c);
      if (t === 'expression') args.push(expr.childAt(c));
      else if (t === 'ellipsis' || t === '...') expandFinal = true;
    } while (c.gotoNextSibling());
    c.gotoParent();
  } while (c.gotoNextSibling());
  return { name: expr.src.slice(nameStart, nameEnd), nameRange: offsetRange(nameStart, nameEnd), args, expandFinal };
}

function objectItemsAt(expr: TfExprImpl): TfObjectItem[] | undefined {
  const k = expr.cheapKind();
  if (k !== undefined && k !== 'object') return undefined;
  const c = soleChildAt(expr, 'collection_value');
  if (!c || !c.gotoFirstChild() || typeAt(c) !== 'object') return undefined;
  expr.found('object');
  const found: { keyExpr: TfExprImpl; bareKey: string | null; value: TfExprImpl; range: OffsetRange }[] = [];
  if (c.gotoFirstChild()) {
    do {
      if (typeAt(c) !== 'object_elem' || !c.gotoFirstChild()) continue;
      // On the element's first child (`k`); `v` is its last.
      let keyExpr: TfExprImpl | null = null;
      let bareKey: string | null = null;
      if (typeAt(c) === 'expression') {
        keyExpr = expr.childAt(c);
        if (c.gotoFirstChild()) {
          // A sole `variable_expr` child: a bare name.
          if (!c.gotoNextSibling() && typeAt(c) === 'variable_expr') bareKey = expr.src.slice(c.startIndex, c.endIndex);
          c.gotoParent();
        }
      }
      let single = true;
      while (c.gotoNextSibling()) single = false;
      const value = keyExpr && !single && typeAt(c) === 'expression' ? expr.childAt(c) : null;
      c.gotoParent();
      if (keyExpr && value) found.push({ keyExpr, bareKey, value, range: offsetRange(c.startIndex, c.endIndex) });
    } while (c.gotoNextSibling());
  }
  // Keys' kinds read after the walk (reading one moves the cursor).
  return mapDense(found, ({ keyExpr, bareKey, value, range: r }) => {
    let key: string | null = bareKey;
    let keyRange = keyExpr.range;
    if (bareKey === null && keyExpr.kind === 'string') {
      key = keyExpr.value as string;
      keyRange = keyExpr.contentRange ?? keyRange;
    }
    return { key, keyExpr, keyRange, value, range: r };
  });
}

function tupleItemsAt(expr: TfExprImpl): TfExpr[] | undefined {
  const k = expr.cheapKind();
  if (k !== undefined && k !== 'tuple') return undefined;
  const c = soleChildAt(expr, 'collection_value');
  if (!c || !c.gotoFirstChild() || typeAt(c) !== 'tuple') return undefined;
  expr.found('tuple');
  const out: TfExpr[] = [];
  if (c.gotoFirstChild()) {
    do {
      if (typeAt(c) === 'expression') out.push(expr.childAt(c));
    } while (c.gotoNextSibling());
  }
  return out;
}

/** The traversal an expression consists of (`var.x`, `aws_instance.web.id`), if it is one. */
export function referenceOf(file: TfFile, expr: TfExpr): TfReference | undefined {
  if (expr.kind !== 'reference') return undefined;
  // References are sorted by start: the first one starting at the expression's start.
  const refs = file.references;
  const at = expr.range.start;
  const lo = firstAtOrAfter(refs, at, (r) => r.range.start);
  return lo < refs.length && refs[lo].range.start === at ? refs[lo] : undefined;
}

/**
 * A clean file (no syntax errors) cut into parts: each top-level block with its
 * node, and each other node outside the blocks that may hold expressions (in
 * source order). A block's text says all about its subtree then, so work on it
 * can be cached by that text (`unitFacts`). Null for a file with errors (or not
 * read by this parser): work on the whole tree.
 */
export function fileParts(file: TfFile): { block: TfBlock | null; node: TsNode }[] | null {
  if (!(file instanceof TfFileImpl) || !file.clean) return null;
  return file.parts();
}

/**
 * The references inside a top-level block of a clean file (whose references are
 * those of its top-level blocks, one block after another), without querying the
 * rest of the file; null for a nested block or a file with syntax errors.
 */
export function blockReferences(file: TfFile, block: TfBlock): TfReference[] | null {
  if (!(file instanceof TfFileImpl) || !file.clean || !(block instanceof TfBlockImpl) || block.parent !== null) return null;
  return block.references(file.text);
}

/**
 * The text of a top-level block of `file`: in a clean file, the one string the
 * parser looked the block up by (its hash is computed already: cheap as a key).
 */
export function blockText(file: TfFile, block: TfBlock): string {
  return (block instanceof TfBlockImpl && block.text !== null) ? block.text : file.text.slice(block.range.start, block.range.end);
}

/**
 * A value kept for the text of a top-level block (`make` called with the text
 * when missing): in a clean file it stays with the block's model from version
 * to version while the block's text does not change, so that finding it again
 * costs no lookup by the text.
 */
export function blockRecord<T>(file: TfFile, block: TfBlock, make: (text: string) => T): T {
  if (block instanceof TfBlockImpl && block.text !== null && !block.parent) {
    const tpl = block.template();
    return (tpl.record ??= make(block.text)) as T;
  }
  return make(blockText(file, block));
}

/** Visits every block of the file, depth first, parents before children. */
export function walkBlocks(blocks: readonly TfBlock[], visit: (b: TfBlock) => void): void {
  for (const b of blocks) {
    visit(b);
    walkBlocks(b.blocks, visit);
  }
}

// ---------------------------------------------------------------------------
// References. A tree-sitter query finds every traversal (an `expression` that
// starts with a `variable_expr`) inside WebAssembly; its steps are then read from
// the text, which is much faster than walking the tree node by node from JS.

const REFERENCE_QUERY = `
(expression . (variable_expr) @root) @traversal
(object_elem . (expression . (variable_expr) @key .))
`;

function collectReferences(at: Tree | TsNode, src: string): TfReference[] {
  try {
    return queryReferences('rootNode' in at ? at.rootNode : at, src);
  } catch {
    return []; // never let a rule crash on a tree the query cannot read
  }
}

function queryReferences(node: TsNode, src: string): TfReference[] {
  if (!refQuery) refQuery = new Query(node.tree.language, REFERENCE_QUERY);
  const roots: { start: number; end: number; limit: number }[] = [];
  const keys = new Set<number>();
  for (const m of refQuery.matches(node)) {
    if (m.captures.length === 1) {
      keys.add(m.captures[0].node.startIndex);
      continue;
    }
    let root: TsNode | null = null;
    let trav: TsNode | null = null;
    for (const c of m.captures) {
      if (c.name === 'root') root = c.node;
      else trav = c.node;
    }
    if (root && trav) roots.push({ start: root.startIndex, end: root.endIndex, limit: trav.endIndex });
  }
  const refs: TfReference[] = [];
  for (const r of roots) {
    // A bare name as an object key (`{ Name = ... }`) is a key, not a reference.
    if (r.end === r.limit && keys.has(r.start)) continue;
    refs.push(scanTraversal(src, r.start, r.end, r.limit));
  }
  refs.sort((a, b) => a.range.start - b.range.start);
  return refs;
}

let refQuery: Query | null = null;

const IDENT = /[\p{ID_Start}_][\p{ID_Continue}-]*/uy;

/**
 * Reads `root.attr[index].attr[*].attr` from the text between `start` and `limit`
 * (the end of the traversal expression, so the scan cannot run past it).
 */
function scanTraversal(src: string, start: number, rootEnd: number, limit: number): TfReference {
  const parts = [src.slice(start, rootEnd)];
  const partRanges: OffsetRange[] = [offsetRange(start, rootEnd)];
  let end = rootEnd;
  let indexed = false;
  let i = rootEnd;
  for (;;) {
    while (i < limit && /\s/.test(src[i])) i++;
    if (i >= limit) break;
    const c = src[i];
    if (c === '.') {
      let j = i + 1;
      while (j < limit && /\s/.test(src[j])) j++;
      if (src[j] === '*') {
        indexed = true;
        i = end = j + 1;
        continue;
      }
      if (src[j] >= '0' && src[j] <= '9') {
        // legacy index `.0`
        while (j < limit && src[j] >= '0' && src[j] <= '9') j++;
        indexed = true;
        i = end = j;
        continue;
      }
      IDENT.lastIndex = j;
      const m = IDENT.exec(src);
      if (!m || j + m[0].length > limit) break;
      parts.push(m[0]);
      partRanges.push(offsetRange(j, j + m[0].length));
      i = end = j + m[0].length;
    } else if (c === '[') {
      const close = matchingBracket(src, i, limit);
      if (close < 0) break;
      indexed = true;
      i = end = close + 1;
    } else break;
  }
  return { parts, range: offsetRange(start, end), partRanges, indexed };
}

/** Offset of the `]` closing the `[` at `open`, skipping nested brackets and strings; -1 if none before `limit`. */
function matchingBracket(src: string, open: number, limit: number): number {
  let depth = 0;
  for (let i = open; i < limit; i++) {
    const c = src[i];
    if (c === '"') {
      for (i++; i < limit && src[i] !== '"'; i++) if (src[i] === '\\') i++;
    } else if (c === '[' || c === '(' || c === '{') depth++;
    else if (c === ']' || c === ')' || c === '}') {
      depth--;
      if (depth === 0) return c === ']' ? i : -1;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------
// Syntax errors

const TOKEN_NAMES: Record<string, string> = {
  block_end: '}', block_start: '{', object_end: '}', object_start: '{', tuple_end: ']', tuple_start: '[',
  quoted_template_end: '"', quoted_template_start: '"', template_interpolation_end: '}',
  template_directive_end: '}', heredoc_identifier: 'heredoc end marker', identifier: 'a name',
  expression: 'an expression',
};

function describeToken(text: string): string {
  const shown = text.length > 24 ? text.slice(0, 24) + '...' : text;
  // eslint-disable-next-line no-control-regex
  return shown.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function collectErrors(node: TsNode, src: string, out: TfSyntaxError[]): void {
  for (const c of node.children) {
    if (!c) continue;
    if (c.isMissing) {
      out.push(missingError(c, node, src));
    } else if (c.isError) {
      out.push(unexpectedError(c, src));
    } else if (c.hasError) {
      collectErrors(c, src, out);
    }
  }
}

function missingError(missing: TsNode, parent: TsNode, src: string): TfSyntaxError {
  const what = TOKEN_NAMES[missing.type] ?? missing.type;
  if (missing.type === 'quoted_template_end') {
    // Point at the opening quote: the string runs on to wherever the parser gave up.
    const open = parent.firstChild;
    const at = open ? open.startIndex : missing.startIndex;
    return { range: offsetRange(at, Math.min(at + 1, src.length)), message: 'Syntax error: unterminated string (missing \'"\')' };
  }
  if (missing.type === 'heredoc_identifier') {
    const open = parent.children.find((c) => c?.type === 'heredoc_identifier' && !c.isMissing);
    const r = open ? range(open) : range(missing);
    return { range: r, message: `Syntax error: heredoc${open ? ` ${open.text}` : ''} has no end marker` };
  }
  const at = missing.startIndex;
  return { range: offsetRange(at, at), message: `Syntax error: missing '${what}'` };
}

function unexpectedError(err: TsNode, src: string): TfSyntaxError {
  const leaves: TsNode[] = [];
  collectLeaves(err, leaves);
  // Text the parser skipped (covered by no token) is what it could not place;
  // failing that, the first token inside the ERROR is.
  let pos = err.startIndex;
  let gap: OffsetRange | null = null;
  const first = leaves[0];
  if (first && (first.type === '}' || first.type === ']' || first.type === ')')) {
    return { range: range(first), message: `Syntax error: unexpected '${first.type}'` };
  }
  for (const leaf of [...leaves, null]) {
    const until = leaf ? leaf.startIndex : err.endIndex;
    const g = trimRange(src, pos, until);
    if (g) {
      gap = g;
      break;
    }
    if (leaf) pos = Math.max(pos, leaf.endIndex);
  }
  const last = leaves[leaves.length - 1];
  if (!gap && last && last.type === '=') {
    return { range: range(last), message: "Syntax error: missing value after '='" };
  }
  const r = gap ?? (leaves[0] ? range(leaves[0]) : range(err));
  if (r.end === r.start) return { range: r, message: 'Syntax error' };
  // Keep the range on one line so the squiggle stays readable.
  const nl = src.slice(r.start, r.end).search(/[\r\n]/);
  if (nl > 0) r.end = r.start + nl;
  return { range: r, message: `Syntax error: unexpected '${describeToken(src.slice(r.start, r.end))}'` };
}

/** The non-empty tokens under `n`, in order; comments count as covered text. */
function collectLeaves(n: TsNode, out: TsNode[]): void {
  for (const c of n.children) {
    if (!c || c.endIndex <= c.startIndex) continue;
    if (c.childCount === 0 || c.type === 'comment') out.push(c);
    else collectLeaves(c, out);
  }
}

/** [start, end) without surrounding whitespace; null when nothing is left. */
function trimRange(src: string, start: number, end: number): OffsetRange | null {
  while (start < end && /\s/.test(src[start])) start++;
  while (end > start && /\s/.test(src[end - 1])) end--;
  return end > start ? offsetRange(start, end) : null;
}
