// A scripted host for unit specs (spec/support/ owns the specs' helpers; no engine code uses this): records every
// command and file operation, serves canned state.
import type { Connection, ExecOptions, ExecResult, Facts, HostName, PutOptions } from '../../engine/types';
import { FACTS_SCRIPT, renderFacts } from '../../engine/facts';
import { UnreachableError } from '../../engine/errors';
import { renderSections, splitSectionsScript } from '../../engine/connection/framing';

export type FakeReply = Partial<ExecResult> | ((cmd: string, opts: ExecOptions, host: FakeConnection) => Partial<ExecResult>);
type Matcher = string | RegExp | ((cmd: string) => boolean);

interface Rule {
  readonly match: Matcher;
  readonly reply: FakeReply;
  remaining: number;
}

export interface FakeFile {
  content: Buffer;
  mode?: number;
  owner?: string;
  group?: string;
}

export type FakeOp =
  | { readonly kind: 'exec'; readonly cmd: string; readonly opts: ExecOptions }
  | { readonly kind: 'put'; readonly path: string; readonly content: string; readonly opts: PutOptions }
  | { readonly kind: 'get'; readonly path: string };

export function fakeFacts(hostname: string, over: Partial<Facts> = {}): Facts {
  return {
    hostname,
    user: 'root',
    os: { id: 'debian', versionId: '12', major: 12, family: 'Debian' },
    pkgMgr: 'apt',
    initSystem: 'systemd',
    ipv4: ['198.18.0.10'],
    ...over,
  };
}

export class FakeConnection implements Connection {
  readonly ops: FakeOp[] = [];
  readonly files = new Map<string, FakeFile>();
  private readonly rules: Rule[] = [];
  unreachable = false;
  closed = false;

  constructor(
    readonly host: HostName,
    public facts: Facts = fakeFacts(host),
  ) {}

  /** Answer commands matching `match` (substring, regex or predicate); later rules win. */
  on(match: Matcher, reply: FakeReply, times = Infinity): this {
    this.rules.unshift({ match, reply, remaining: times });
    return this;
  }

  get loginIsBecomeUser(): boolean {
    return this.facts.user === 'root';
  }

  /** Commands run so far, facts gathering excluded (a probe round that gathered them counts as one command). */
  get commands(): string[] {
    return this.ops.flatMap((o) => (o.kind === 'exec' && o.cmd !== FACTS_SCRIPT ? [o.cmd] : []));
  }

  async exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.unreachable) throw new UnreachableError(this.host, 'connect ECONNREFUSED (fake)');
    this.ops.push({ kind: 'exec', cmd, opts });
    // A probe round (several scripts in one command): each part answered as if it ran alone.
    const round = splitSectionsScript(cmd);
    if (round) {
      const results = round.parts.map((part) => this.reply(part, opts));
      return { code: 0, stdout: renderSections(round.token, results), stderr: results.map((r) => r.stderr).join('') };
    }
    return this.reply(cmd, opts);
  }

  private reply(cmd: string, opts: ExecOptions): ExecResult {
    if (cmd === FACTS_SCRIPT) return { code: 0, stdout: renderFacts(this.facts), stderr: '' };
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r.match, cmd));
    if (!rule) return { code: 127, stdout: '', stderr: `fake host ${this.host}: no scripted reply for: ${cmd}` };
    rule.remaining -= 1;
    const r = typeof rule.reply === 'function' ? rule.reply(cmd, opts, this) : rule.reply;
    return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  async put(path: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    if (this.unreachable) throw new UnreachableError(this.host, 'connect ECONNREFUSED (fake)');
    const buf = Buffer.from(content);
    this.ops.push({ kind: 'put', path, content: buf.toString('utf8'), opts });
    const prev = this.files.get(path);
    this.files.set(path, {
      content: buf,
      mode: opts.mode ?? prev?.mode,
      owner: opts.owner ?? prev?.owner,
      group: opts.group ?? prev?.group,
    });
  }

  async get(path: string): Promise<Buffer | undefined> {
    if (this.unreachable) throw new UnreachableError(this.host, 'connect ECONNREFUSED (fake)');
    this.ops.push({ kind: 'get', path });
    return this.files.get(path)?.content;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Seed a file as if it were on the host. */
  file(path: string, content: string, meta: Omit<FakeFile, 'content'> = {}): this {
    this.files.set(path, { content: Buffer.from(content), ...meta });
    return this;
  }
}

function matches(m: Matcher, cmd: string): boolean {
  if (typeof m === 'string') return cmd.includes(m);
  if (m instanceof RegExp) return m.test(cmd);
  return m(cmd);
}
