// The benchmark's peers: one that is not installed (or not the version the benchmark is written for)
// is reported with the reason, the report ends with a line per peer, and the tools take turns.
import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findPeers } from '../../../bench/peers';
import { speedupLines } from '../../../bench/report-a';
import { roundOrder } from '../../../bench/side-by-side';

describe('bench: peers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vpha-bench-peers-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a peer that is not installed as missing, naming where it was looked for', async () => {
    const [core, mitogen, pyinfra] = await findPeers(['ansible-core', 'mitogen', 'pyinfra'], dir);
    expect(core).to.include({ found: false, name: 'ansible-core' });
    expect(core!.found ? '' : core!.why).to.contain(`${dir}/ansible-core/bin/ansible-playbook not found`);
    expect(mitogen!.found ? '' : mitogen!.why).to.contain(`${dir}/mitogen/bin/ansible-playbook not found`);
    expect(pyinfra!.found ? '' : pyinfra!.why).to.match(/pyinfra\/bin\/pyinfra not found .*VPHA_BENCH_PEERS/);
  });

  it('refuses a pyinfra that is not version 3, and one that does not start', async () => {
    const bin = path.join(dir, 'pyinfra', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'pyinfra'), '#!/bin/sh\necho "pyinfra: v2.9.2"\n');
    chmodSync(path.join(bin, 'pyinfra'), 0o755);
    const [old] = await findPeers(['pyinfra'], dir);
    expect(old!.found ? '' : old!.why).to.contain('is pyinfra v2.9.2; bench/pyinfra/deploy.py is written for pyinfra 3');
    writeFileSync(path.join(bin, 'pyinfra'), '#!/bin/sh\necho "ModuleNotFoundError: No module named gevent" >&2\nexit 1\n');
    const [broken] = await findPeers(['pyinfra'], dir);
    expect(broken!.found ? '' : broken!.why).to.match(/--version failed \(exit 1\): ModuleNotFoundError: No module named gevent/);
  });

  it('ends the report with one line per peer, a missing one with its reason', () => {
    const lines = speedupLines(undefined, [{ name: 'mitogen', found: false, why: 'not installed' }], 'the lab did not start');
    expect(lines).to.deep.equal(['no-op rerun speed-up vs mitogen: missing (not installed)']);
  });

  it('rotates the order of the tools each round; a sampled tool takes part in its first rounds only', () => {
    const tools = [{ name: 'engine' }, { name: 'ansible', rounds: 1 }, { name: 'pyinfra' }];
    expect(roundOrder(tools, 1).map((t) => t.name)).to.deep.equal(['engine', 'ansible', 'pyinfra']);
    expect(roundOrder(tools, 2).map((t) => t.name)).to.deep.equal(['pyinfra', 'engine']);
    expect(roundOrder(tools, 3).map((t) => t.name)).to.deep.equal(['engine', 'pyinfra']);
  });
});
