// The type-check gate's contract, apart from engine/type-check.ts: that file needs the TypeScript API's
// types, which the cli must not pull into every playbook's program (typescript.d.ts alone is 0.6 MB to parse).

/** What the checker found: nothing (`ok`), or the formatted diagnostics. */
export type TypeCheckResult = { readonly ok: true; readonly cached: boolean } | { readonly ok: false; readonly report: string };

export type TypeCheckPlaybook = (entry: string, opts?: { readonly color?: boolean }) => TypeCheckResult;
