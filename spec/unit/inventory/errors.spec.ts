// Each bad inventory stops with a ConfigError naming the file and line (DIR is the temp inventory).
import { expect } from 'chai';
import { loadInventory } from '../../../engine/inventory/load';
import { VAULT_PASSWORD_HINT } from '../../../engine/vault/password';
import type { HostName } from '../../../engine/types';
import { configError, removeTempTrees, tempTree } from './temp-tree';

const cases: [string, Record<string, string>, string][] = [
  // INI
  ['a host line word without =', { hosts: '[g]\nh1 foo\n' },
    "DIR/hosts:2: malformed host line 'h1 foo': expected key=value after the host name, got 'foo'"],
  ['a malformed section header', { hosts: '# c\n[cluster\nh1\n' }, "DIR/hosts:2: malformed section header '[cluster'"],
  ['an unknown section kind', { hosts: '[cluster:hostz]\nh1\n' },
    "DIR/hosts:1: unknown section kind ':hostz' in '[cluster:hostz]' (use :vars or :children)"],
  ['an unclosed quote', { hosts: '[g]\nh1 x="abc\n' }, 'DIR/hosts:2: malformed host line \'h1 x="abc\': No closing quotation'],
  ['an unknown child group', { hosts: '[p:children]\nnope\n' }, "DIR/hosts:2: [p:children] includes undefined group 'nope'"],
  ['vars for an undefined group', { hosts: '[g]\nh1\n[x:vars]\na=1\n' }, "DIR/hosts:3: [x:vars] is for undefined group 'x'"],
  ['a vars line without =', { hosts: '[g:vars]\njustakey\n[g]\n' }, "DIR/hosts:2: expected key=value in [g:vars], got 'justakey'"],
  ['two names on a children line', { hosts: '[a]\n[p:children]\na b\n' },
    "DIR/hosts:3: [p:children] takes one group name per line, got 'a b'"],
  ['a group cycle', { hosts: '[a:children]\nb\n[b:children]\nc\n[c:children]\na\n' }, 'DIR/hosts:6: group cycle: a -> b -> c -> a'],
  ["'all' as a child", { hosts: '[g:children]\nall\n' }, "DIR/hosts:2: group 'all' cannot be a child of 'g'"],
  ['a duplicate host with conflicting addresses', { hosts: '[a]\nh ansible_host=10.0.0.1\n[b]\nh ansible_host=10.0.0.2\n' },
    "DIR/hosts:4: host 'h' has conflicting addresses: '10.0.0.1' at DIR/hosts:2 and '10.0.0.2' at DIR/hosts:4"],
  ['an invalid IPv4 ansible_host', { hosts: '[g]\nh ansible_host=10.40.1.300\n' },
    "DIR/hosts:2: ansible_host '10.40.1.300' is not an IPv4 address"],
  ['an invalid IPv6 ansible_host', { hosts: '[g]\nh ansible_host=fe80::1::2\n' },
    "DIR/hosts:2: ansible_host 'fe80::1::2' is not an IPv6 address"],
  ['an invalid hostname ansible_host', { hosts: '[g]\nh ansible_host=-bad-.example\n' },
    "DIR/hosts:2: ansible_host '-bad-.example' is not a hostname"],
  ['an out-of-range ansible_port', { hosts: '[g]\nh ansible_port=70000\n' },
    "DIR/hosts:2: ansible_port '70000' is not a port (1..65535)"],
  ['a non-numeric ansible_port in :vars', { hosts: '[g]\nh\n[g:vars]\nansible_port=ssh\n' },
    "DIR/hosts:4: ansible_port 'ssh' is not a port (1..65535)"],
  ['a backwards host range', { hosts: '[g]\nweb[3:1]\n' },
    "DIR/hosts:2: host 'web[3:1]': range '[3:1]' ends before it starts"],
  ['a zero-padded range with unequal widths', { hosts: '[g]\nweb[01:100]\n' },
    "DIR/hosts:2: host 'web[01:100]': host range must specify equal-length begin and end formats"],
  ['a bad variable name', { hosts: '[g]\nh foo-bar=1\n' }, "DIR/hosts:2: 'foo-bar' is not a valid variable name"],
  ['a bad group name', { hosts: '[g!x]\nh\n' }, "DIR/hosts:1: 'g!x' is not a valid group name (letters, digits, _ . -)"],
  ['a bad host name', { hosts: '[g]\nh/x\n' }, "DIR/hosts:2: 'h/x' is not a valid host name"],
  // YAML
  ['bad YAML syntax', { 'hosts.yml': 'all:\n  hosts:\n    a: [1, 2\n' },
    'DIR/hosts.yml:4: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ['a duplicate YAML key', { 'hosts.yml': 'all:\n  hosts:\n    a:\n    a:\n' }, 'DIR/hosts.yml:3: Map keys must be unique'],
  ['hosts as a list', { 'hosts.yml': 'all:\n  hosts:\n    - a\n' }, "DIR/hosts.yml:3: hosts of group 'all' must be a mapping, got a list"],
  ['a YAML inventory that is a list', { 'hosts.yml': '- all\n' },
    'DIR/hosts.yml:1: a YAML inventory is a mapping of groups (all: ...), got a list'],
  ['an unknown key in a YAML group', { 'hosts.yml': 'all:\n  host:\n    a:\n' },
    "DIR/hosts.yml:2: unknown key 'host' in group 'all' (expected hosts, vars or children)"],
  ['a YAML group that is a scalar', { 'hosts.yml': 'all: 5\n' },
    "DIR/hosts.yml:1: group 'all' must be a mapping of hosts, vars and children, got the scalar '5'"],
  ['YAML host vars that are a list', { 'hosts.yml': 'all:\n  hosts:\n    a: [1]\n' },
    "DIR/hosts.yml:3: vars of host 'a' must be a mapping of variables, got a list"],
  ['a YAML duplicate host with conflicting addresses',
    { 'hosts.yml': 'all:\n  children:\n    x:\n      hosts:\n        h: {ansible_host: 10.0.0.1}\n    y:\n      hosts:\n        h: {ansible_host: 10.0.0.2}\n' },
    "DIR/hosts.yml:8: host 'h' has conflicting addresses: '10.0.0.1' at DIR/hosts.yml:5 and '10.0.0.2' at DIR/hosts.yml:8"],
  ['a YAML group cycle', { 'hosts.yml': 'a:\n  children:\n    b:\n      children:\n        a:\n' }, 'DIR/hosts.yml:5: group cycle: a -> b -> a'],
  ['an inline vault value and no vault secret', { 'hosts.yml': 'all:\n  vars:\n    x: !vault |\n      abc\n' },
    `DIR/hosts.yml:3: x is vault-encrypted (!vault): ${VAULT_PASSWORD_HINT}`],
  ['an unknown YAML tag', { 'hosts.yml': 'all:\n  vars:\n    x: !nosuch abc\n' }, 'DIR/hosts.yml:3: Unresolved tag: !nosuch'],
  ['an invalid address in YAML', { 'hosts.yml': 'all:\n  hosts:\n    a:\n      ansible_host: 10.40.1.300\n' },
    "DIR/hosts.yml:4: ansible_host '10.40.1.300' is not an IPv4 address"],
  // vars files
  ['a group_vars file that is a list', { hosts: '[all]\nh\n', 'group_vars/all.yml': '- a\n- b\n' },
    'DIR/group_vars/all.yml:1: a vars file must be a mapping of variables, got a list'],
  ['a host_vars file that is a scalar', { hosts: '[all]\nh\n', 'host_vars/h.yml': 'just text\n' },
    "DIR/host_vars/h.yml:1: a vars file must be a mapping of variables, got the scalar 'just text'"],
  ['bad YAML in a group_vars directory', { hosts: '[all]\nh\n', 'group_vars/all/main.yml': 'a: 1\nb: [\n' },
    'DIR/group_vars/all/main.yml:3: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ['a bad port in group_vars', { hosts: '[all]\nh\n', 'group_vars/all.yml': 'x: 1\nansible_port: 0\n' },
    "DIR/group_vars/all.yml:2: ansible_port '0' is not a port (1..65535)"],
  ['a bad !env name', { hosts: '[all]\nh\n', 'group_vars/all.yml': 'x: !env 1BAD\n' },
    "DIR/group_vars/all.yml:1: x: '!env 1BAD' needs an environment variable name"],
  // TS
  ['an unknown child group in a TS inventory', { 'index.ts': "export default {\n  groups: {\n    a: { children: ['x'] },\n  },\n};\n" },
    "DIR/index.ts:3: group 'a' has unknown child group 'x'"],
  ['a wrong shape in a TS inventory', { 'index.ts': 'export default {\n  groups: {\n    a: { hosts: 5 },\n  },\n};\n' },
    'DIR/index.ts:3: groups.a.hosts: expected a list of host names or a mapping of host name -> variables (export default defineInventory({...}))'],
  ['an unknown key in a TS inventory', { 'index.ts': 'export default {\n  hostz: {},\n};\n' },
    'DIR/index.ts:2: hostz: Unrecognized key: "hostz" (export default defineInventory({...}))'],
  ['a TS inventory that throws', { 'index.ts': "throw new Error('boom');\n" }, 'DIR/index.ts: cannot load the inventory module: boom'],
  ['a directory without an inventory', { 'README.md': 'x', 'hosts.ini': '[g]\nh\n' },
    'inventory DIR: the directory holds no inventory file (Ansible skips .ini .cfg .md .txt ... in a directory)'],
];

describe('inventory: errors name the file and line', () => {
  after(removeTempTrees);

  for (const [what, files, expected] of cases) {
    it(`stops on ${what}`, async () => {
      const dir = tempTree(files);
      const message = await configError(() => loadInventory(dir, { env: {} }));
      expect(message).to.equal(expected.split('DIR').join(dir));
    });
  }

  it('stops on a missing inventory path', async () => {
    expect(await configError(() => loadInventory('/nonexistent/inventory'))).to.equal('inventory /nonexistent/inventory does not exist');
  });

  it('takes an address from host_vars/ over the inventory line (an edit, not a conflict)', async () => {
    const dir = tempTree({ hosts: '[all]\nh ansible_host=10.0.0.1\n', 'host_vars/h.yml': 'ansible_host: 10.0.0.9\n' });
    const inv = await loadInventory(dir);
    expect(inv.hosts.get('h' as HostName)?.vars.ansible_host).to.equal('10.0.0.9');
    expect(inv.origin('h' as HostName, 'ansible_host')).to.equal(`${dir}/host_vars/h.yml:1`);
  });

  it('accepts a host listed twice with the same address as one host', async () => {
    const dir = tempTree({ hosts: '[a]\nh ansible_host=10.0.0.1 x=1\n[b]\nh ansible_host=10.0.0.1 y=2\n' });
    const inv = await loadInventory(dir);
    expect([...inv.hosts.keys()]).to.deep.equal(['h']);
    expect(inv.hosts.get('h' as HostName)?.vars).to.deep.equal({ ansible_host: '10.0.0.1', x: 1, y: 2 });
    expect(inv.hosts.get('h' as HostName)?.groups).to.deep.equal(['all', 'a', 'b']);
  });
});
