// Colours for a terminal; chalk is loaded only when colour is on (it is ESM: keep start-up lean).
import type { Paint } from './format';
import { noPaint } from './format';

export function makePaint(colour: boolean): Paint {
  if (!colour) return noPaint;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const chalk = (require('chalk') as typeof import('chalk')).default;
  const styles: Record<Parameters<Paint>[0], (t: string) => string> = {
    ok: chalk.green,
    changed: chalk.yellow,
    failed: chalk.red,
    unreachable: chalk.redBright,
    skipped: chalk.cyan,
    dim: chalk.gray,
    bold: chalk.bold,
    warn: chalk.magenta,
  };
  return (style, text) => styles[style](text);
}
