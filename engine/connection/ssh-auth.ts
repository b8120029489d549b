// Login methods in order (ssh-agent, key files, password) and a record of what was tried, for the
// "authentication failed" message.
import * as fs from 'node:fs';
import { ssh2 } from './ssh2-lazy';
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType } from 'ssh2';
import type { SshSettings } from './ssh-settings';

interface Candidate {
  readonly kind: AuthenticationType;
  /** How the method is named in the failure message. */
  readonly label: string;
  readonly method: AnyAuthMethod;
}

export class AuthPlan {
  /** Labels of the methods actually offered to the server, in order. */
  readonly tried: string[] = [];
  /** Why a configured method was not offered (unreadable key, encrypted key, ...). */
  readonly skipped: string[] = [];
  /** The methods the server said it accepts, from its last failure reply. */
  serverMethods: readonly string[] = [];
  private readonly candidates: Candidate[] = [];

  constructor(private readonly s: SshSettings) {
    if (s.agentSocket) {
      this.candidates.push({ kind: 'agent', label: 'ssh-agent', method: { type: 'agent', username: s.user, agent: s.agentSocket } });
    }
    s.keyFiles.forEach((file, i) => this.addKey(file, i === 0 && s.keyFiles.length === 1));
    if (s.password !== undefined) {
      this.candidates.push({ kind: 'password', label: 'password', method: { type: 'password', username: s.user, password: s.password } });
    }
  }

  private addKey(file: string, configured: boolean): void {
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      // Default identities that do not exist are normal; a configured key file that is missing is not.
      if (configured) this.skipped.push(`key ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return;
    }
    const key = ssh2().utils.parseKey(data);
    if (key instanceof Error) {
      this.skipped.push(`key ${file}: ${key.message}`);
      return;
    }
    this.candidates.push({ kind: 'publickey', label: `publickey ${file}`, method: { type: 'publickey', username: this.s.user, key: data } });
  }

  /** For ssh2's authHandler: the next candidate the server still accepts, or false when none is left. */
  readonly handler: AuthHandlerMiddleware = (methodsLeft, _partial, next) => {
    if (methodsLeft) this.serverMethods = methodsLeft;
    while (this.candidates.length > 0) {
      const c = this.candidates.shift()!;
      const offered = !methodsLeft || methodsLeft.includes(c.kind === 'agent' ? 'publickey' : c.kind);
      if (!offered) {
        this.skipped.push(`${c.label}: not accepted by the server`);
        continue;
      }
      this.tried.push(c.label);
      return next(c.method);
    }
    return next(false as unknown as AuthenticationType); // ssh2: false ends authentication
  };

  /** "tried ssh-agent, publickey /k; server accepts publickey,password; key /x: ENOENT". */
  describe(): string {
    const parts = [`tried ${this.tried.length ? this.tried.join(', ') : 'no method'}`];
    if (this.serverMethods.length) parts.push(`server accepts ${this.serverMethods.join(',')}`);
    parts.push(...this.skipped);
    if (this.tried.length === 0 && this.skipped.length === 0) {
      parts.push('set ansible_ssh_private_key_file or ansible_password, or load a key into ssh-agent');
    }
    return parts.join('; ');
  }
}
