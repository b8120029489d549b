// Fuzz-style: hundreds of deterministically generated malformed inventories (seeded PRNG). Each must
// either load or stop with a ConfigError naming a file, never crash with another error type.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ConfigError } from '../../../engine/errors';
import { loadInventory } from '../../../engine/inventory/load';
import { removeTempTrees, tempTree } from './temp-tree';
import { prng } from '../../support/prng';


type Random = () => number;
const pick = <T>(rnd: Random, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;

const INI_CHARS = '[]:=!#;"\'\\ \n\t*?,&|$()abcz019.-_{}/~';
const YAML_CHARS = ':-{}[]!&*|>\'"#% \n  \tabc019.,?@`';
const INI_LINES = [
  '[cluster]', '[cluster:vars]', '[cluster:children]', '[db:children]', '[x:y]', '[]', '[a b]', 'web[1:3]', 'web[3:1]',
  'web[a:3]', 'h ansible_host=10.40.1.300', 'h ansible_host=10.0.0.1', 'h ansible_host=10.0.0.2', 'h ansible_port=0',
  'h ansible_port=22 x="quoted value"', "h x='unclosed", 'cluster', 'all', 'ungrouped', 'a=b', 'novalue', '=x',
  'h:2222', 'fe80::1', 'h bad-name=1', '; comment', '# comment', 'h x=1 y=2.5 z=true', 'h ansible_host=-bad',
];
const YAML_LINES = [
  'all:', '  hosts:', '  children:', '  vars:', '    h:', '      ansible_host: 10.40.1.300', '      ansible_port: 99999',
  '    x: !env VPHA_FUZZ_UNSET', '    y: !env', '    z: !vault abc', '  - item', '&a {x: 1}', '<<: *a', '*nope', '? complex',
  '    web[1:2]:', '    web[2:1]:', '      children:', '        all:', '\ttab: 1', '"unterminated', 'key: [1, 2', 'all: 5',
];

function mutate(rnd: Random, text: string, chars: string, lines: readonly string[]): string {
  let out = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * (out.length + 1));
    const rows = out.split('\n');
    const row = Math.floor(rnd() * rows.length);
    switch (Math.floor(rnd() * 7)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rnd() * 3));
        break;
      case 1:
        out = out.slice(0, at) + pick(rnd, [...chars]) + out.slice(at);
        break;
      case 2:
        rows.splice(row, 0, rows[Math.floor(rnd() * rows.length)] ?? '');
        out = rows.join('\n');
        break;
      case 3:
        rows.splice(row, 1);
        out = rows.join('\n');
        break;
      case 4:
        out = out.slice(0, at);
        break;
      default:
        rows.splice(row, 0, pick(rnd, lines));
        out = rows.join('\n');
    }
  }
  return out;
}

function randomLines(rnd: Random, lines: readonly string[]): string {
  const count = 1 + Math.floor(rnd() * 10);
  return Array.from({ length: count }, () => pick(rnd, lines)).join('\n');
}

const PATTERNS = ['all', '*', 'cluster', 'db:!cluster', 'x:&y', 'web*', '~[', 'cluster[0]', 'h', ',', 'nope', '!all', 'a:b,c'];

async function loadsOrConfigError(files: Record<string, string>, rnd: Random): Promise<'loaded' | 'refused'> {
  const dir = tempTree(files);
  try {
    const inv = await loadInventory(dir, { env: { VPHA_FUZZ_SET: 'x' } });
    // A loaded inventory must also answer patterns cleanly.
    for (let i = 0; i < 3; i++) {
      try {
        inv.select(pick(rnd, PATTERNS));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
      }
    }
    return 'loaded';
  } catch (e) {
    expect(e, `${String(e)}\n--- input ---\n${JSON.stringify(files, null, 1)}`).to.be.instanceOf(ConfigError);
    expect((e as Error).message, JSON.stringify(files)).to.include(dir);
    return 'refused';
  }
}

describe('inventory: fuzzed malformed inputs give a clean ConfigError or load', function () {
  this.timeout(120000);
  after(removeTempTrees);
  const iniFixture = readFileSync('spec/fixtures/inventory/ini/hosts', 'utf8');
  const yamlFixture = readFileSync('spec/fixtures/inventory/yaml/hosts.yml', 'utf8');

  it('300 INI inventories', async () => {
    const rnd = prng(20240601);
    const outcomes = { loaded: 0, refused: 0 };
    for (let i = 0; i < 300; i++) {
      const hosts = i % 3 === 0 ? randomLines(rnd, INI_LINES) : mutate(rnd, iniFixture, INI_CHARS, INI_LINES);
      outcomes[await loadsOrConfigError({ hosts }, rnd)]++;
    }
    // Both outcomes occur, so the generator exercises the parser and not only its first check.
    expect(outcomes.loaded).to.be.greaterThan(20);
    expect(outcomes.refused).to.be.greaterThan(20);
  });

  it('300 YAML inventories', async () => {
    const rnd = prng(7);
    const outcomes = { loaded: 0, refused: 0 };
    for (let i = 0; i < 300; i++) {
      const text = i % 3 === 0 ? randomLines(rnd, YAML_LINES) : mutate(rnd, yamlFixture, YAML_CHARS, YAML_LINES);
      outcomes[await loadsOrConfigError({ 'hosts.yml': text }, rnd)]++;
    }
    expect(outcomes.loaded).to.be.greaterThan(20);
    expect(outcomes.refused).to.be.greaterThan(20);
  });

  it('200 group_vars/host_vars files', async () => {
    const rnd = prng(99);
    const base = 'ntp: pool.ntp.org\nmariadb:\n  port: 3306\n  users: [a, b]\nsecret: !env VPHA_FUZZ_SET\nansible_port: 22\n';
    const outcomes = { loaded: 0, refused: 0 };
    for (let i = 0; i < 200; i++) {
      const vars = mutate(rnd, base, YAML_CHARS, YAML_LINES);
      const where = i % 2 === 0 ? 'group_vars/cluster.yml' : 'host_vars/vprotect1/main.yml';
      outcomes[await loadsOrConfigError({ hosts: '[cluster]\nvprotect1\n', [where]: vars }, rnd)]++;
    }
    expect(outcomes.loaded).to.be.greaterThan(20);
    expect(outcomes.refused).to.be.greaterThan(20);
  });
});
