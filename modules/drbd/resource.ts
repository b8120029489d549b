// drbd_resource: the resource file from a template (or given content), checked with the host's drbdadm
// among the rest of its configuration before it is installed; an unchanged file is a no-op. The file is
// the one that already defines the resource among those drbdadm reads (the how-to's hand-made
// /etc/drbd.d/vprotect.res keeps its name), else /etc/drbd.d/NAME.res: never a second definition.
import { randomBytes } from 'node:crypto';
import { ConfigError, ModuleError } from '../../engine/errors';
import type { FileDiff, ModuleContext, ModuleResult } from '../../engine/types';
import { sh } from '../../engine/shell';
import { defineModule } from '../lib/define';
import { probe } from '../lib/exec';
import { renderTemplate } from '../lib/handlebars';
import { checkConfig, configScanScript, parseConfigScan, type DrbdConfigFiles } from './config-files';
import { checkResourceName } from './resource-name';
import { assertOnlyResource, resourceTarget, type ResourceTarget } from './resource-target';

export interface DrbdResourceParams {
  /** The resource name, as in `resource NAME {`. */
  readonly name: string;
  /**
   * Default: the file drbdadm reads that already defines the resource, else /etc/drbd.d/NAME.res. Given, it
   * is refused while another file drbdadm reads defines the resource and drbdadm would read this one too.
   */
  readonly path?: string;
  /** A template under templates/ (e.g. 'drbd-resource') rendered with `vars`... */
  readonly template?: string;
  readonly vars?: Readonly<Record<string, unknown>>;
  /** ...or the file's content as it is. */
  readonly content?: string;
}

export interface DrbdResourceResult extends ModuleResult {
  /** The file written (or that would be): what later steps reading the resource file use. */
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
    const files = await readConfigFiles(ctx, p.name);
    // Before anything is read or written: a resource defined twice is refused here, not by drbdadm later.
    const target = resourceTarget(ctx.host, p.name, p.path, files);
    const path = target.path;
    const current = (await ctx.conn.get(path, { become: ctx.become }))?.toString('utf8');
    if (current === text) return { changed: false, msg: `${path} up to date`, path };
    if (current !== undefined) assertOnlyResource(ctx.host, p.name, path, current);
    const diffs: FileDiff[] = ctx.diff ? [{ path, before: current ?? '', after: text }] : [];
    const checked = await validate(ctx, p.name, text, files, path);
    const verb = current === undefined ? 'create' : 'update';
    const note = checked ? '' : ' (drbdadm is not installed yet: checked on the real run)';
    if (ctx.check) return { changed: true, msg: said(p.name, target, current, text, `would ${verb} ${path}${note}`), path, diffs };
    await ctx.conn.put(path, text, { mode: 0o644, become: ctx.become });
    return { changed: true, msg: said(p.name, target, current, text, `${verb}d ${path}`), path, diffs };
  },
});

async function readConfigFiles(ctx: ModuleContext, name: string): Promise<DrbdConfigFiles> {
  const r = await probe(ctx, configScanScript(name));
  if (r.code !== 0) {
    throw new ModuleError(`cannot read DRBD's configuration files on ${ctx.host} to find resource ${name} (exit ${r.code}): ${r.stderr.trim() || 'no output'}`, r);
  }
  return parseConfigScan(r.stdout);
}

/**
 * The new content checked by the host's own drbdadm, in place of the file it replaces among the others, before
 * it replaces anything. False when drbdadm is missing under --check: the package that brings it is only
 * "would install" on a new host, and the real run checks.
 */
async function validate(ctx: ModuleContext, name: string, text: string, files: DrbdConfigFiles, path: string): Promise<boolean> {
  const scratch = `/tmp/.drbd-check-${randomBytes(6).toString('hex')}`;
  const [res, conf] = [`${scratch}.res`, `${scratch}.conf`];
  try {
    await ctx.conn.put(res, text, { mode: 0o600, become: ctx.become });
    await ctx.conn.put(conf, checkConfig(files, path, res), { mode: 0o600, become: ctx.become });
    const r = await probe(ctx, sh`drbdadm -c ${conf} dump ${name}`);
    if (r.code === 127 && ctx.check) return false;
    if (r.code !== 0) {
      const why = r.stderr.split('\n').filter((l) => l.trim() && !/modinfo: not found/.test(l)).join('\n').trim();
      throw new ModuleError(`the new ${path} for ${ctx.host} does not pass \`drbdadm dump\` (exit ${r.code}): ${why.replaceAll(res, path)}`, r);
    }
    return true;
  } finally {
    await ctx.conn.exec(sh`rm -f -- ${res} ${conf}`, { become: ctx.become });
  }
}

/** The result's message: an adopted file says so the first time the role's content goes in. */
function said(name: string, target: ResourceTarget, current: string | undefined, text: string, done: string): string {
  if (!target.adopted || (current !== undefined && isOurs(current, text))) return done;
  return `resource ${name} is defined in ${target.path} (made by hand): its content becomes the role's there; ${done}`;
}

/** Whether the file already holds the caller's content, older (its opening comment line, when it has one). */
function isOurs(current: string, text: string): boolean {
  const first = (s: string): string => s.split('\n', 1)[0] ?? '';
  return first(text).startsWith('#') && first(current) === first(text);
}
