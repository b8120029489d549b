import { expect } from 'chai';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { openConnection } from '../../../engine/connection';
import { LocalConnection } from '../../../engine/connection/local';
import { sshSettings } from '../../../engine/connection/ssh-settings';
import { ConfigError } from '../../../engine/errors';
import type { HostEntry } from '../../../engine/inventory/types';
import type { HostName } from '../../../engine/types';

const entry = (vars: Record<string, unknown>): HostEntry => ({ name: 'db1' as HostName, vars, groups: ['all'] });

describe('ssh settings from inventory variables', () => {
  it('defaults like Ansible: host name as address, port 22, root, ~/.ssh identities', () => {
    const s = sshSettings(entry({}), {}, {});
    expect(s).to.deep.include({ address: 'db1', port: 22, user: 'root', acceptNewHostKeys: false, connectTimeoutMs: 10000 });
    expect(s.knownHostsFile).to.equal(path.join(os.homedir(), '.ssh', 'known_hosts'));
    expect(s.keyFiles).to.deep.equal(['id_ed25519', 'id_ecdsa', 'id_rsa'].map((k) => path.join(os.homedir(), '.ssh', k)));
    expect(s.agentSocket).to.equal(undefined);
  });

  it('reads ansible_* variables, with per-host known_hosts and password over the options', () => {
    const s = sshSettings(
      entry({
        ansible_host: '198.18.0.11',
        ansible_port: '2222',
        ansible_user: 'admin',
        ansible_ssh_private_key_file: '~/keys/lab',
        ansible_password: 'login',
        ansible_become_password: 'sudo',
        ansible_ssh_known_hosts_file: '/etc/lab/known_hosts',
      }),
      { knownHostsFile: '/ignored', password: 'fallback', acceptNewHostKeys: true, connectTimeoutMs: 500 },
      { SSH_AUTH_SOCK: '/run/agent.sock' },
    );
    expect(s).to.deep.include({
      address: '198.18.0.11',
      port: 2222,
      user: 'admin',
      password: 'login',
      becomePassword: 'sudo',
      knownHostsFile: '/etc/lab/known_hosts',
      acceptNewHostKeys: true,
      connectTimeoutMs: 500,
      agentSocket: '/run/agent.sock',
    });
    expect(s.keyFiles).to.deep.equal([path.join(os.homedir(), 'keys', 'lab')]);
    expect(sshSettings(entry({}), { password: 'fallback' }, {}).password).to.equal('fallback');
  });

  it('rejects a bad port or a non-string value with a ConfigError naming the variable', () => {
    expect(() => sshSettings(entry({ ansible_port: 'ssh' }), {}, {})).to.throw(ConfigError, /ansible_port/);
    expect(() => sshSettings(entry({ ansible_user: ['a'] }), {}, {})).to.throw(ConfigError, /ansible_user/);
  });

  it('keeps passwords out of a logged or serialized connection', () => {
    const conn = openConnection(entry({ ansible_password: 'login-secret', ansible_become_password: 'sudo-secret' }), {});
    const shown = inspect(conn, { depth: 10 }) + JSON.stringify(conn);
    expect(shown).to.not.include('login-secret');
    expect(shown).to.not.include('sudo-secret');
  });

  it('dispatches ansible_connection=local to LocalConnection and refuses unknown kinds', () => {
    expect(openConnection(entry({ ansible_connection: 'local' }), {})).to.be.instanceOf(LocalConnection);
    expect(() => openConnection(entry({ ansible_connection: 'winrm' }), {})).to.throw(ConfigError, /winrm/);
  });
});
