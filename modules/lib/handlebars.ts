// Handlebars for config files: strict (a missing variable is an error, never an empty string),
// no HTML escaping, a few helpers, compiled once per template file per run.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { ConfigError } from '../../engine/errors';

/** The project's templates/ directory. */
export const TEMPLATES_DIR = path.resolve(__dirname, '..', '..', 'templates');

const hbs = Handlebars.create();
// `{{#if (eq role "primary")}}` and `{{join hosts " "}}`: comparisons and lists are common in config files.
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('join', (list: unknown, sep: unknown) => {
  if (!Array.isArray(list)) throw new Error(`join: expected a list, got ${typeof list}`);
  return list.join(typeof sep === 'string' ? sep : ',');
});

type Render = (vars: Readonly<Record<string, unknown>>) => string;
const compiled = new Map<string, { source: string; render: Render }>();

/** 'drbd-resource' -> templates/drbd-resource.hbs; an absolute path is used as it is. */
export function templatePath(src: string): string {
  if (path.isAbsolute(src)) return src;
  return path.join(TEMPLATES_DIR, src.endsWith('.hbs') ? src : `${src}.hbs`);
}

/** How the template is named in messages: relative to the project when inside it. */
function shown(file: string): string {
  const rel = path.relative(path.dirname(TEMPLATES_DIR), file);
  return rel.startsWith('..') ? file : rel;
}

function load(file: string): { source: string; render: Render } {
  const hit = compiled.get(file);
  if (hit) return hit;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`template ${shown(file)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const render = hbs.compile(source, { strict: true, noEscape: true });
  const entry = { source, render };
  compiled.set(file, entry);
  return entry;
}

/** Render a template; any error (syntax, missing variable) is a ConfigError naming file, line and variable. */
export function renderTemplate(src: string, vars: Readonly<Record<string, unknown>>): string {
  const file = templatePath(src);
  const { source, render } = load(file);
  try {
    return render(vars);
  } catch (e) {
    throw new ConfigError(`template ${shown(file)}: ${explain((e as Error).message, source)}`);
  }
}

/** Turn Handlebars' `"b" not defined in [object Object] - 1:2` into the variable's full name and place. */
function explain(message: string, source: string): string {
  const missing = /^"(.+)" not defined in .* - (\d+):(\d+)$/s.exec(message);
  if (missing) {
    const [, leaf, line, col] = missing;
    const text = source.split('\n')[Number(line) - 1] ?? '';
    const expr = /^[\w.@/[\]-]+/.exec(text.slice(Number(col)))?.[0] ?? leaf;
    return `line ${line}: variable "${expr}" is not defined in the vars given to the template${expr !== leaf ? ` ("${leaf}" is missing)` : ''}`;
  }
  return message.replace(/\n/g, ' ').replace(/\s+/g, ' ').trim();
}
