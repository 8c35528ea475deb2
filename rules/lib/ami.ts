/** Matching image references against the `approvedAmis` option of `ec2-approved-ami`. */

/**
 * The forms an image reference can take, for matching against the list: the value
 * itself and, for SSM references (`{{resolve:ssm:/path}}`, `resolve:ssm:/path`),
 * the parameter path (also without a `:version` suffix).
 */
export function imageKeys(value: string): string[] {
  const keys = [value];
  const m = /^\{\{resolve:ssm:([^}]+)\}\}$/.exec(value) ?? /^resolve:ssm:(.+)$/.exec(value);
  if (m) {
    keys.push(m[1]);
    const unversioned = m[1].replace(/:[^/:]+$/, '');
    if (unversioned !== m[1]) keys.push(unversioned);
  }
  return keys;
}

/** An entry matches exactly, or as a prefix when it ends with `*`. */
export function isApproved(value: string, approved: readonly string[]): boolean {
  const keys = imageKeys(value);
  return approved.some((entry) => keys.some((k) => (entry.endsWith('*') ? k.startsWith(entry.slice(0, -1)) : k === entry)));
}
