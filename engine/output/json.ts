// --json: one JSON object per line per event, for machines.
import type { Reporter, RunEvent } from '../runner/events';

export class JsonReporter implements Reporter {
  constructor(private readonly write: (line: string) => void) {}

  emit(e: RunEvent): void {
    this.write(JSON.stringify({ ...e, time: new Date().toISOString() }));
  }
}
