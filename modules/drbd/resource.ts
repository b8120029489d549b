// drbd_resource: the resource file (/etc/drbd.d/NAME.res) from a template (or given content), checked
// with `drbdadm -c FILE dump NAME` before it is installed; an unchanged file is a no-op.
import { randomBytes } from 'node:crypto';
import { ConfigError, ModuleError } from '../../engine/errors';
import type { FileDiff, ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { probe } from '../lib/exec';
import { renderTemplate } from '../lib/handlebars';
import { checkResourceName } from './resource-name';

export interface DrbdResourceParams {
  /** The resource name, as in `resource NAME {`. */
  readonly name: string;
  /** Default /etc/drbd.d/NAME.res. */
  readonly path?: string;
  /** A template under templates/ (e.g. 'drbd-resource') rendered with `vars`... */
  readonly template?: string;
  readonly vars?: Readonly<Record<string, unknown>>;
  /** ...or the file's content as it is. */
  readonly content?: string;
}

export interface DrbdResourceResult extends ModuleResult {
  readonly path: string;
}

/**
 * Unclosed or extra braces, outside comments and quotes. drbdadm itself accepts a file whose last brace is
 * missing (the how-to's resource file), so this is checked here.
 */
export function braceProblem(text: string): string | undefined {
  let depth = 0;
  let line = 1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = (nl < 0 ? text.length : nl) - 1;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return `an extra '}' on line ${line}`;
  }
  return depth > 0 ? `${depth} '{' never closed (a missing '}' at the end?)` : undefined;
}

function wanted(p: DrbdResourceParams): string {
  if ((p.content === undefined) === (p.template === undefined)) {
    throw new ConfigError(`drbd_resource ${p.name}: give either template (with vars) or content`);
  }
  return p.content ?? renderTemplate(p.template!, p.vars ?? {});
}

export const drbdResource = defineModule<DrbdResourceParams, DrbdResourceResult, string>({
  name: 'drbd_resource',
  checkMode: true,
  describe: (p) => `drbd resource ${p.name}`,
  preflight: (p) => {
    checkResourceName(p.name, 'drbd_resource');
    if (p.path !== undefined && !p.path.startsWith('/')) throw new ConfigError(`drbd_resource ${p.name}: path must be absolute`);
    const text = wanted(p);
    const braces = braceProblem(text);
    if (braces) throw new ConfigError(`drbd_resource ${p.name}: unbalanced braces: ${braces}`);
    if (!new RegExp(`^\\s*resource\\s+${p.name.replace(/[.]/g, '\\.')}\\s*\\{`, 'm').test(text)) {
      throw new ConfigError(`drbd_resource ${p.name}: the content does not define resource ${p.name}`);
    }
    return text;
  },
  async run(p, ctx, text) {
    const path = p.path ?? `/etc/drbd.d/${p.name}.res`;
    const current = (await ctx.conn.get(path, { become: ctx.become }))?.toString('utf8');
    if (current === text) return { changed: false, msg: `${path} up to date`, path };
    const diffs: FileDiff[] = ctx.diff ? [{ path, before: current ?? '', after: text }] : [];
    // Validate the new file on the host with the host's own drbdadm, before it replaces anything.
    const tmp = `/tmp/.drbd-check-${randomBytes(6).toString('hex')}.res`;
    await ctx.conn.put(tmp, text, { mode: 0o600, become: ctx.become });
    let unchecked = false;
    try {
      const r = await probe(ctx, sh`drbdadm -c ${tmp} dump ${p.name}`);
      // Under --check on a new host the package that brings drbdadm is only "would install": the real run checks.
      if (r.code === 127 && ctx.check) unchecked = true;
      else if (r.code !== 0) {
        const why = r.stderr.split('\n').filter((l) => l.trim() && !/modinfo: not found/.test(l)).join('\n').trim();
        throw new ModuleError(`the new ${path} for ${ctx.host} does not pass \`drbdadm dump\` (exit ${r.code}): ${why.replaceAll(tmp, path)}`, r);
      }
    } finally {
      await ctx.conn.exec(sh`rm -f ${tmp}`, { become: ctx.become });
    }
    if (ctx.check) {
      const note = unchecked ? ' (drbdadm is not installed yet: checked on the real run)' : '';
      return { changed: true, msg: `would ${current === undefined ? 'create' : 'update'} ${path}${note}`, path, diffs };
    }
    await ctx.conn.put(path, text, { mode: 0o644, become: ctx.become });
    return { changed: true, msg: `${current === undefined ? 'created' : 'updated'} ${path}`, path, diffs };
  },
});
