/**
 * One identity per set of parsed files: a key for caching facts about a whole
 * Terraform module.
 *
 * The engine builds a fresh `TfModule` object for every file it lints, but hands
 * back the same parsed `TfFile` object for a file whose text did not change. So
 * the files of one module, linted one after another, see `TfModule` objects that
 * differ while their `files` are the same objects in the same order. Facts about
 * the module (an IAM graph, which instances an alarm watches...) depend only on
 * those files (and the folder), so they are cached under `moduleKey(module)`: the
 * same key object for the same folder and the same file objects in the same order.
 *
 * Parsed files are immutable: a file whose text changed is a new object, so a key
 * (and whatever is cached under it) is never reached again once any file of the
 * module changed. Nothing here holds a file strongly: keys hang off a chain of
 * WeakMaps keyed by the files, so a key and its cached facts go away with any one
 * of its files.
 */
import type { TfFile, TfModule } from './model';

interface Link {
  /** The keys of the modules whose files so far are the path to this link, by folder. */
  keys: Map<string, object> | null;
  next: WeakMap<TfFile, Link> | null;
}

const roots = new WeakMap<TfFile, Link>();

/**
 * The object to key module-wide facts on: the same for every `TfModule` with the
 * same `dir` and the same file objects in the same order. A module without files
 * is its own key.
 */
export function moduleKey(module: TfModule): object {
  const files = module.files;
  if (files.length === 0) return module;
  let map: WeakMap<TfFile, Link> = roots;
  let link: Link | undefined;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    link = map.get(f);
    if (!link) {
      link = { keys: null, next: null };
      map.set(f, link);
    }
    if (i < files.length - 1) map = link.next ??= new WeakMap();
  }
  const keys = (link!.keys ??= new Map());
  let key = keys.get(module.dir);
  if (!key) {
    key = { dir: module.dir };
    keys.set(module.dir, key);
  }
  return key;
}
