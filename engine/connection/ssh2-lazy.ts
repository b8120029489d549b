// ssh2 costs ~45 ms to load: load it on the first SSH connection, not when the engine starts.
type Ssh2 = typeof import('ssh2');

let loaded: Ssh2 | undefined;

export function ssh2(): Ssh2 {
  loaded ??= require('ssh2') as Ssh2;
  return loaded;
}
