// Splitting and typing INI inventory values the way Ansible does (shlex split, then Python literal typing).
import { parse } from 'shell-quote';

// shell-quote also knows shell operators and $VARS, which shlex does not: hide them during the split.
const SHELL_SPECIALS = '$;|&<>()*?`';
const PLACEHOLDER_BASE = 0xe000;
const hide = (text: string): string =>
  text.replace(/[$;|&<>()*?`]/g, (c) => String.fromCharCode(PLACEHOLDER_BASE + SHELL_SPECIALS.indexOf(c)));
const reveal = (text: string): string =>
  text.replace(/[\ue000-\ue00f]/g, (c) => SHELL_SPECIALS[c.charCodeAt(0) - PLACEHOLDER_BASE] ?? c);

/** Why the line's quoting is broken (shlex would refuse it), or undefined. */
function quotingProblem(line: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === undefined) {
      if (c === '\\') i++;
      else if (c === '#') return undefined; // a comment, as shell-quote reads it (even mid-word)
      else if (c === "'" || c === '"') quote = c;
    } else if (c === quote) quote = undefined;
    else if (c === '\\' && quote === '"') i++;
  }
  return quote === undefined ? undefined : `no closing ${quote === '"' ? 'double' : 'single'} quote`;
}

/** Words of a line with shell-style quoting; a '#' word starts a comment. Throws Error with a reason. */
export function splitWords(line: string): string[] {
  if (/[\ue000-\ue00f]/.test(line)) throw new Error('characters U+E000..U+E00F are not allowed');
  const problem = quotingProblem(line);
  if (problem !== undefined) throw new Error(problem);
  const words: string[] = [];
  for (const token of parse(hide(line))) {
    if (typeof token === 'string') words.push(reveal(token));
    else if ('comment' in token) break;
    else if ('pattern' in token) words.push(reveal(token.pattern));
    else throw new Error(`unexpected '${reveal(String(token.op))}'`);
  }
  return words;
}

/**
 * Ansible types INI values with Python's literal_eval: numbers, booleans (also lower-case here, as
 * users expect), and quoted strings stay strings ("'123'" is the string 123). Everything else is a string.
 */
export function typeIniValue(text: string): unknown {
  if (/^-?(?:0|[1-9][0-9]*)$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (/^-?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][+-]?[0-9]+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'True') return true;
  if (text === 'false' || text === 'False') return false;
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) return quoted[2];
  return text;
}
