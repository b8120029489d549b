// Workaround for an engine transport race, installed only in the benchmark's own processes and its
// scale runs (the report says where). ssh2 hands an exec channel over in a callback; SshConnection
// resolves a promise with it and runOnChannel attaches its 'exit' listener a few microtasks later.
// A fast command's exit-status often arrives in the same TCP read as the exec reply, so ssh2 emits
// 'exit' before anyone listens; the 'close' that follows then looks like a lost connection
// ("a channel closed without an exit status" -> UNREACHABLE). Proposed engine fix: take the code
// from ssh2's 'close' arguments (or attach the listeners inside the callback).
// Here: a listener attached after 'exit' fired still gets it (asynchronously, as it would have).
import type { Client, ClientCallback, ClientChannel, ExecOptions } from 'ssh2';

let installed = false;

export function installStickyExit(): void {
  if (installed) return;
  installed = true;
  const { Client: SshClient } = require('ssh2') as typeof import('ssh2');
  const exec = SshClient.prototype.exec as (this: Client, command: string, options: ExecOptions, callback: ClientCallback) => Client;
  const patched = function (this: Client, command: string, a: ExecOptions | ClientCallback, b?: ClientCallback): Client {
    const callback = (typeof a === 'function' ? a : b)!;
    const options = typeof a === 'function' ? {} : a;
    return exec.call(this, command, options, (err, ch) => {
      if (!err) makeExitSticky(ch);
      callback(err, ch);
    });
  };
  SshClient.prototype.exec = patched as typeof SshClient.prototype.exec;
}

function makeExitSticky(ch: ClientChannel): void {
  let fired: unknown[] | undefined;
  ch.once('exit', (...args: unknown[]) => (fired = args));
  const on = ch.on.bind(ch);
  ch.on = ((event: string | symbol, listener: (...args: unknown[]) => void) => {
    if (event === 'exit' && fired) {
      const args = fired;
      queueMicrotask(() => listener(...args));
      return ch;
    }
    return on(event, listener);
  }) as typeof ch.on;
}
