// The contract between a TS inventory's loader (ts-inventory.ts) and its line finder (ts-lines.ts): a file of its
// own so that neither imports the other.
/** The source line of a property of the spec, by its path (implemented in ts-lines.ts). */
export type LineLookup = (path: readonly (string | number)[]) => number;
export type PropertyLines = (text: string, file: string) => LineLookup;
