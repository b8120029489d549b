// Tags with Ansible's meaning (playbook/taggable.py): a task carries its own tags and those of its play, role
// and blocks; --tags/--skip-tags select with `always`, `never`, `tagged`, `untagged` and `all`. The plan
// (engine/runner/plan.ts) asks this file, once per task; nothing else decides tags.

export interface TagFilter {
  /** --tags; empty means all. */
  readonly only: readonly string[];
  /** --skip-tags. */
  readonly skip: readonly string[];
}

export const ALL_TAGS: TagFilter = { only: [], skip: [] };

/** The tags a node carries: those it inherits (play, role, blocks), then its own, each once. */
export function inheritTags(inherited: readonly string[], own: readonly string[] | undefined): string[] {
  return [...new Set([...inherited, ...(own ?? [])])];
}

/** Whether a task carrying `tags` (its own plus inherited ones) runs under the filter. */
export function selected(tags: readonly string[], f: TagFilter): boolean {
  const has = (t: string): boolean => tags.includes(t);
  const any = (list: readonly string[]): boolean => list.some(has);
  if (f.skip.length) {
    if (any(f.skip)) return false;
    if (f.skip.includes('tagged') && tags.length) return false;
    if (f.skip.includes('untagged') && !tags.length) return false;
  }
  // `never` tasks run only when one of their tags (other than never itself... or never) is asked for by name.
  if (has('never') && !any(f.only.filter((t) => t !== 'all' && t !== 'tagged'))) return false;
  if (has('always') && !f.skip.includes('always')) return true;
  if (!f.only.length || f.only.includes('all')) return true;
  if (f.only.includes('tagged') && tags.length) return true;
  if (f.only.includes('untagged') && !tags.length) return true;
  return any(f.only);
}

/** Tags the user named that no task carries: Ansible warns about these. */
export function unknownTags(f: TagFilter, known: ReadonlySet<string>): string[] {
  const special = new Set(['all', 'tagged', 'untagged', 'always', 'never']);
  return [...f.only, ...f.skip].filter((t) => !special.has(t) && !known.has(t));
}
