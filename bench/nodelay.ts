// What-if for a proposed engine change: TCP_NODELAY on the SSH socket. SshConnection leaves Nagle's
// algorithm on, and every exec (channel open, request, close) then waits ~40 ms for a delayed ACK.
// The benchmark only measures this in its own processes; it does not change the engine.
import type { Client } from 'ssh2';

let patched = false;

/** Turn Nagle off on every ssh2 connection this process makes from now on. */
export function forceNoDelay(): void {
  if (patched) return;
  patched = true;
  const { Client: SshClient } = require('ssh2') as typeof import('ssh2');
  const connect = SshClient.prototype.connect;
  SshClient.prototype.connect = function (this: Client, config) {
    const r = connect.call(this, config);
    this.setNoDelay(true);
    return r;
  };
}
