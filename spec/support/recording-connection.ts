// A decorator around a real connection that records what the engine asks of the host: each command
// string with its env and stdin, each file written with its mode. For the secrets specs on the lab.
import type { Connection, ExecOptions, ExecResult, HostName, PutOptions } from '../../engine/types';

export interface RecordedExec {
  readonly cmd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: string;
}

export interface RecordedPut {
  readonly path: string;
  readonly mode?: number;
  readonly content: string;
}

export class RecordingConnection implements Connection {
  readonly execs: RecordedExec[] = [];
  readonly puts: RecordedPut[] = [];

  constructor(private readonly inner: Connection) {}

  get host(): HostName {
    return this.inner.host;
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.execs.push({ cmd: command, env: opts.env ?? {}, stdin: opts.stdin === undefined ? '' : String(opts.stdin) });
    return this.inner.exec(command, opts);
  }

  put(path: string, content: string | Buffer, opts: PutOptions = {}): Promise<void> {
    this.puts.push({ path, mode: opts.mode, content: String(content) });
    return this.inner.put(path, content, opts);
  }

  get(path: string, opts?: { readonly become?: boolean }): Promise<Buffer | undefined> {
    return this.inner.get(path, opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
