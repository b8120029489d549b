// Plain YAML scalars typed as Ansible's loader (PyYAML, YAML 1.1) types them, not as the `yaml` package's own
// 1.1 schema does: `y`/`n` stay strings, `1e3` and `1.5e3` stay strings (PyYAML wants a dot and a signed
// exponent), `1_000`, `0b11`, `017` (octal), `1:30` (sexagesimal) are numbers, `=` is refused as PyYAML does,
// and timestamps become the ISO text Ansible prints for them (ansible-inventory writes date.isoformat()).
import type { ScalarTag, Tags } from 'yaml';

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

/** A plain scalar PyYAML cannot load (`key: =` resolves to the 'value' tag, which has no constructor). */
export class YamlValueTagError extends Error {}

function yamlInt(source: string): number {
  let text = source.replace(/_/g, '');
  let sign = 1;
  if (text.startsWith('-')) sign = -1;
  if (text.startsWith('-') || text.startsWith('+')) text = text.slice(1);
  let value: number;
  if (text === '0') value = 0;
  else if (text.startsWith('0b')) value = parseInt(text.slice(2), 2);
  else if (text.startsWith('0x')) value = parseInt(text.slice(2), 16);
  else if (text.startsWith('0')) value = parseInt(text, 8);
  else if (text.includes(':')) value = sexagesimal(text);
  else value = Number(text);
  if (Number.isNaN(value)) throw new Error(`'${source}' is not a number`);
  if (!Number.isSafeInteger(value)) throw new Error(`the integer ${source} is beyond 2^53 and would lose digits: quote it`);
  return sign * value;
}

function yamlFloat(source: string): number {
  let text = source.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (text.startsWith('-')) sign = -1;
  if (text.startsWith('-') || text.startsWith('+')) text = text.slice(1);
  if (text === '.inf') return sign * Infinity;
  if (text === '.nan') return NaN;
  if (text.includes(':')) return sign * sexagesimal(text);
  return sign * Number(text);
}

function sexagesimal(text: string): number {
  return text.split(':').reduce((sum, part) => sum * 60 + Number(part), 0);
}

/** PyYAML's timestamp as Python's isoformat(): 2001-12-14, 2001-12-14T21:59:43.100000-05:00. */
function yamlTimestamp(source: string): string {
  const m =
    /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/.exec(
      source,
    );
  if (!m) throw new Error(`'${source}' is not a timestamp`);
  const [, y, mo, d, h, mi, s, fraction, tz, tzSign, tzHour, tzMinute] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || check.getUTCDate() !== day) throw new Error(`'${source}' is not a valid date`);
  const date = `${y}-${pad(month)}-${pad(day)}`;
  if (h === undefined) return date;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw new Error(`'${source}' is not a valid time`);
  const micros = (fraction ?? '').slice(0, 6).padEnd(6, '0');
  let out = `${date}T${pad(Number(h))}:${mi}:${s}${/^0+$/.test(micros) ? '' : `.${micros}`}`;
  if (tzSign !== undefined) {
    const minutes = Number(tzHour) * 60 + Number(tzMinute ?? 0);
    out += `${tzSign === '-' && minutes !== 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
  } else if (tz !== undefined) {
    out += '+00:00';
  }
  return out;
}

const pad = (n: number): string => String(n).padStart(2, '0');

const scalar = (tag: string, test: RegExp, resolve: (source: string) => unknown): ScalarTag => ({
  tag: `tag:yaml.org,2002:${tag}`,
  default: true,
  test,
  resolve: (source: string) => resolve(source),
});

const PYYAML_SCALARS: ScalarTag[] = [
  scalar('null', NULL, () => null),
  scalar('bool', BOOL, (s) => /^(?:yes|true|on)$/i.test(s)),
  scalar('int', INT, yamlInt),
  scalar('float', FLOAT, yamlFloat),
  scalar('timestamp', TIMESTAMP, yamlTimestamp),
  scalar('value', /^=$/, () => {
    throw new YamlValueTagError("could not determine a constructor for the tag 'tag:yaml.org,2002:value' (a plain '=': quote it)");
  }),
];

/** The same tags for explicit use (`!!float "1"`): the yaml package only uses a tag with a test on matching text. */
const EXPLICIT: ScalarTag[] = PYYAML_SCALARS.map(({ tag, resolve }) => ({ tag, resolve }));

const REPLACED = new Set(['null', 'bool', 'int', 'float', 'timestamp'].map((t) => `tag:yaml.org,2002:${t}`));

/** The yaml package's 1.1 tags with the scalar ones replaced by PyYAML's rules; extra tags appended. */
export function pyyamlTags(extra: readonly ScalarTag[]): (tags: Tags) => Tags {
  return (tags) => [...tags.filter((t) => typeof t !== 'object' || !REPLACED.has(t.tag)), ...EXPLICIT, ...PYYAML_SCALARS, ...extra];
}
