// ini_file: one option (or a whole section) in an INI / my.cnf file, edited in place: comments,
// order and spacing of every other line are kept. Bare options (`log-bin`) are options without a value.
import { ConfigError } from '../engine/errors';
import { attributeTarget, defineTextEditor, type EditResult } from './lib/edit-file';
import { absolutePath, type FileAttributeParams } from './lib/params';
import { editIni, type IniEdit } from './lib/text/ini-edit';

export interface IniFileParams extends FileAttributeParams {
  readonly path: string;
  /** The section name without brackets; null for options before the first section. */
  readonly section: string | null;
  /** Without an option, present ensures the section and absent removes it with its options. */
  readonly option?: string;
  /** The value; omit (or null) for a bare option such as `log-bin`. */
  readonly value?: string | number | null;
  readonly state?: 'present' | 'absent';
  /** Default true: the option appears once. false: one line per value (e.g. several replicate-do-db). */
  readonly exclusive?: boolean;
  /** MySQL/MariaDB option files: treat `log-bin` and `log_bin` as the same option. Default false. */
  readonly equivalentDashes?: boolean;
  /** Write new options as `key=value` instead of `key = value`. */
  readonly noExtraSpaces?: boolean;
  /** Create the file when missing (default true, as in Ansible). */
  readonly create?: boolean;
}

export type IniFileResult = EditResult;

function toEdit(p: IniFileParams): IniEdit {
  absolutePath(p.path, 'ini_file');
  const what = `ini_file ${p.path}`;
  if (p.section !== null && (p.section.trim() === '' || /[\]\r\n]/.test(p.section))) throw new ConfigError(`${what}: bad section name ${JSON.stringify(p.section)}`);
  if (p.option !== undefined && (p.option.trim() !== p.option || !p.option || /[=\r\n#;[]/.test(p.option))) {
    throw new ConfigError(`${what}: bad option name ${JSON.stringify(p.option)}`);
  }
  const value = p.value === undefined || p.value === null ? null : String(p.value);
  if (value !== null && /[\r\n]/.test(value)) throw new ConfigError(`${what}: value of ${p.option} must be a single line`);
  if (p.option === undefined && p.value !== undefined) throw new ConfigError(`${what}: value given without option`);
  if (p.section === null && p.option === undefined) throw new ConfigError(`${what}: the top level (section null) needs an option`);
  return {
    section: p.section,
    option: p.option,
    value: p.value === undefined ? undefined : value,
    state: p.state ?? 'present',
    exclusive: p.exclusive ?? true,
    equivalentDashes: p.equivalentDashes ?? false,
    spaced: !(p.noExtraSpaces ?? false),
  };
}

export const iniFile = defineTextEditor<IniFileParams, IniEdit>({
  name: 'ini_file',
  describe: (p) => `ini_file ${p.path} [${p.section ?? ''}]${p.option ? ` ${p.option}` : ''}${p.state === 'absent' ? ' state=absent' : ''}`,
  preflight: (p) => ({ edit: toEdit(p), target: attributeTarget(p, `ini_file ${p.path}`, true) }),
  apply: editIni,
});
