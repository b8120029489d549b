// engine/secrets/ owns masking secrets: the Redactor the runner passes every string of every event through
// (secrets never reach an output), and that the inventory CLI and the inventory's secret values use too.
const MASK = '********';

export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: string): void {
    // Very short values would mask unrelated text everywhere; passwords that short are refused by roles anyway.
    if (value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }

  /** Deep copy with every string redacted. */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) o[k] = this.redactDeep(v);
      return o as T;
    }
    return value;
  }
}
