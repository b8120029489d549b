// mysql_option_lines: comment out option lines (found by mysql_survey, file:line) so that one file alone sets
// what they set. A line is found by its text at its number (or, when the file moved lines, by its text alone
// in the same group); it is kept in the file as a comment saying where the setting lives now. A file that is a
// symlink (Debian's /etc/mysql/my.cnf) is edited where it points.
import type { ModuleResult } from '../../engine/types';
import { ConfigError, ModuleError } from '../../engine/errors';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { must } from '../lib/exec';
import { editTextFile } from '../lib/edit-file';
import type { OptionLine } from './option-files';

export interface MysqlOptionLinesParams {
  readonly lines: readonly Pick<OptionLine, 'file' | 'line' | 'text'>[];
  /** Says where the setting lives now, e.g. "set in /etc/mysql/mariadb.conf.d/60-vprotect-replication.cnf". */
  readonly note: string;
}

/** The edit: each line replaced by `# <line>  # <note>`; an already commented line is left as it is. */
export function commentOut(text: string, lines: readonly { line: number; text: string }[], note: string): string {
  const out = text.split('\n');
  for (const l of lines) {
    const i = out[l.line - 1] === l.text ? l.line - 1 : out.indexOf(l.text);
    if (i < 0) continue;
    out[i] = `# ${l.text.trim()}  # ${note}`;
  }
  return out.join('\n');
}

export const mysqlOptionLines = defineModule<MysqlOptionLinesParams, ModuleResult>({
  name: 'mysql_option_lines',
  checkMode: true,
  describe: (p) => `comment out ${p.lines.map((l) => `${l.file}:${l.line}`).join(', ') || 'no option lines'}`,
  preflight: (p) => {
    for (const l of p.lines) if (!l.file.startsWith('/')) throw new ConfigError(`mysql_option_lines: ${l.file} is not an absolute path`);
  },
  async run(p, ctx) {
    const byFile = new Map<string, { line: number; text: string }[]>();
    for (const l of p.lines) byFile.set(l.file, [...(byFile.get(l.file) ?? []), l]);
    const done: string[] = [];
    const diffs = [];
    for (const [file, lines] of byFile) {
      const real = (await must(ctx, sh`readlink -f -- ${file}`)).stdout.trim();
      if (!real) throw new ModuleError(`${file} on ${ctx.host} cannot be resolved`);
      const r = await editTextFile(ctx, { path: real, create: false }, (text) => commentOut(text, lines, p.note));
      if (r.changed) done.push(`${file}:${lines.map((l) => l.line).join(',')} (${lines.map((l) => l.text.trim()).join('; ')})`);
      diffs.push(...r.diffs);
    }
    if (!done.length) return { changed: false, msg: 'no option line to comment out' };
    return { changed: true, msg: `${ctx.check ? 'would comment out' : 'commented out'} ${done.join(', ')}: ${p.note}`, diffs };
  },
});
