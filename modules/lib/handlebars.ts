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

/** Thrown by the variables' proxy: Handlebars' strict mode lets block helpers' params (`{{#if x}}`) pass silently. */
class MissingVariable extends Error {
  constructor(readonly variable: string) {
    super(`variable "${variable}" is missing`);
  }
}

const isContainer = (v: unknown): v is object =>
  Array.isArray(v) || (!!v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v)));

/** A view of `value` whose reading of a key it lacks throws MissingVariable naming the full path. */
function strictView(value: unknown, prefix: string): unknown {
  if (!isContainer(value)) return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key !== 'string') return Reflect.get(target, key, receiver);
      if (!(key in target)) throw new MissingVariable(prefix + key);
      const inner: unknown = Reflect.get(target, key, receiver);
      const d = Object.getOwnPropertyDescriptor(target, key);
      // A proxy must hand back a frozen property's own value (the get invariant).
      if (d && !d.configurable && !d.writable) return inner;
      return strictView(inner, `${prefix}${key}.`);
    },
  });
}

/** Render a template; any error (syntax, missing variable) is a ConfigError naming file, line and variable. */
export function renderTemplate(src: string, vars: Readonly<Record<string, unknown>>): string {
  const file = templatePath(src);
  const { source, render } = load(file);
  try {
    return render(strictView(vars, '') as Record<string, unknown>);
  } catch (e) {
    if (e instanceof MissingVariable) throw new ConfigError(`template ${shown(file)}: ${missingAt(e.variable, source)}`);
    throw new ConfigError(`template ${shown(file)}: ${explain((e as Error).message, source)}`);
  }
}

/** The first line whose mustache names the variable's last part (`{{#if drbd9}}`, `{{this.address}}`). */
function missingAt(variable: string, source: string): string {
  const leaf = variable.split('.').at(-1) ?? variable;
  const word = new RegExp(`{{[^}]*(?<![\\w-])${leaf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])[^}]*}}`);
  const index = source.split('\n').findIndex((l) => word.test(l));
  return `${index >= 0 ? `line ${index + 1}: ` : ''}variable "${variable}" is not defined in the vars given to the template`;
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
