// The type-check gate's contract, apart from engine/type-check.ts: that file needs the TypeScript API's
// types, which the cli must not pull into every playbook's program (typescript.d.ts alone is 0.6 MB to parse).

/** What the checker found: nothing (`ok`), or the formatted diagnostics. */
export type TypeCheckResult = { readonly ok: true; readonly cached: boolean } | { readonly ok: false; readonly report: string };

export interface TypeCheckOptions {
  readonly color?: boolean;
  /**
   * `auto` (the default): TypeScript 7's native compiler when its package for this platform is installed,
   * else the TypeScript API; `typescript-api`: the API only.
   */
  readonly compiler?: 'auto' | 'typescript-api';
}

export type TypeCheckPlaybook = (entry: string, opts?: TypeCheckOptions) => TypeCheckResult;
