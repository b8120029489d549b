// slurp: a remote file's bytes into the task's result (e.g. a key to hand to another host), read over
// the connection's get, so the content never passes through a logged command line.
import type { ModuleResult } from '../engine/types';
import { ModuleError } from '../engine/errors';
import { defineModule } from './lib/define';
import { absolutePath } from './lib/params';
import { asText } from './lib/diff';

export interface SlurpParams {
  readonly path: string;
  /** 'utf8' (default; fails on a binary file) or 'base64'. */
  readonly encoding?: 'utf8' | 'base64';
  /** Redact the content from all output from now on (keys, passwords, session files). */
  readonly secret?: boolean;
}

export interface SlurpResult extends ModuleResult {
  readonly path: string;
  readonly content: string;
  readonly encoding: 'utf8' | 'base64';
}

export const slurp = defineModule<SlurpParams, SlurpResult>({
  name: 'slurp',
  checkMode: true,
  describe: (p) => `slurp ${p.path}`,
  preflight: (p) => void absolutePath(p.path, 'slurp'),
  async run(p, ctx) {
    const encoding = p.encoding ?? 'utf8';
    const data = await ctx.conn.get(p.path, { become: ctx.become });
    if (data === undefined) throw new ModuleError(`${p.path} does not exist on ${ctx.host}`);
    let content: string;
    if (encoding === 'base64') content = data.toString('base64');
    else {
      const text = asText(data);
      if (text === undefined) throw new ModuleError(`${p.path} on ${ctx.host} is not UTF-8 text; slurp it with encoding 'base64'`);
      content = text;
    }
    if (p.secret && content) ctx.secret(content);
    return { changed: false, path: p.path, content, encoding, msg: `read ${data.length} bytes from ${p.path}` };
  },
});
