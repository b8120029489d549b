// Recorded tool outputs for module specs (see spec/fixtures/modules/README.md for where each came from).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export function fixture(name: string): string {
  return readFileSync(path.join(__dirname, '..', 'fixtures', 'modules', name), 'utf8');
}
