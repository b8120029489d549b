// The SSH transport against the lab hosts (systemd-nspawn, their own sshd): facts, exec, files and the
// failure cases, without disturbing the hosts for other specs (no sshd is stopped; a dropped connection
// is this spec's own, cut by killing its server-side process).
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openConnection, SshConnection, type ConnectionOptions } from '../../engine/connection';
import { UnreachableError } from '../../engine/errors';
import { gatherFacts } from '../../engine/facts';
import type { Connection, HostName } from '../../engine/types';
import { sh } from '../../engine/shell';
import { KNOWN_HOSTS, type LabHost } from '../../lab/config';
import { hostVars } from '../../lab/inventory-file';
import { LAB_START_TIMEOUT_MS, startLab, type LabHandle } from '../support/lab';
import { keygen } from '../support/sshd';
import { failure } from '../support/failure';

describe('SSH transport on the lab hosts', function () {
  this.timeout(60_000);
  let lab: LabHandle;
  let work: string;
  const mine: Connection[] = [];

  before(async function () {
    this.timeout(LAB_START_TIMEOUT_MS);
    lab = await startLab();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'spec-lab-ssh-'));
  });
  after(async () => {
    await Promise.allSettled(mine.splice(0).map((c) => c.close()));
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  /** A connection of this spec's own, with inventory overrides (closed in after()). */
  function connect(host: LabHost, vars: Record<string, unknown> = {}, opts: ConnectionOptions = {}): SshConnection {
    const c = openConnection(
      { name: host.name as HostName, vars: { ...hostVars(host), ...vars }, groups: ['all'] },
      { knownHostsFile: KNOWN_HOSTS, ...opts },
    );
    mine.push(c);
    return c as SshConnection;
  }

  it('gathers each host its own facts (uname -n) over one connection per host', async () => {
    for (const host of lab.hosts) {
      const c = connect(host);
      const facts = await gatherFacts(c);
      expect(facts.hostname).to.equal(host.name);
      expect(facts.ipv4).to.include(host.ip);
      expect(facts.initSystem).to.equal('systemd');
      await Promise.all([c.exec('true'), c.get('/etc/hostname'), c.exec('true')]);
      expect(c.stats.handshakes).to.equal(1);
    }
  });

  it('puts and gets files atomically on a host, keeping the mode', async () => {
    const c = connect(lab.hosts[0]!);
    const target = `/tmp/spec-lab-ssh-${randomBytes(4).toString('hex')}.conf`;
    try {
      await c.put(target, 'one\n', { mode: 0o640 });
      const inode = (await c.exec(sh`stat -c %i ${target}`)).stdout;
      await c.put(target, 'two\n');
      expect((await c.exec(sh`stat -c %a ${target}`)).stdout.trim()).to.equal('640');
      expect((await c.exec(sh`stat -c %i ${target}`)).stdout).to.not.equal(inode);
      expect((await c.get(target))?.toString()).to.equal('two\n');
      expect((await c.exec(sh`ls -a /tmp | grep -c ${path.basename(target)}`)).stdout.trim()).to.equal('1');
    } finally {
      await c.exec(sh`rm -f ${target}`);
    }
  });

  it('refuses a wrong key, an unknown host key and a changed host key with actionable messages', async () => {
    const host = lab.hosts[0]!;
    const wrong = await keygen(path.join(work, 'wrong'), 'ed25519');
    const auth = await failure(connect(host, { ansible_ssh_private_key_file: wrong.file }).exec('true'));
    expect(auth).to.be.instanceOf(UnreachableError);
    expect(auth.message).to.include(`authentication failed for root@${host.ip}:22`).and.include(`publickey ${wrong.file}`);

    const unknown = await failure(connect(host, { ansible_ssh_known_hosts_file: path.join(work, 'empty') }).exec('true'));
    expect(unknown.message).to.match(/unknown host key for 198\.18\.0\.\d+: ED25519 key SHA256:[A-Za-z0-9+/]{43} /);
    expect(unknown.message).to.include('--accept-new-host-keys');

    // The other host's key recorded under this host's address: a changed key.
    const other = lab.hosts[1]!;
    const known = await fs.readFile(KNOWN_HOSTS, 'utf8');
    const otherKey = known.split('\n').find((l) => l.split(' ')[0]!.split(',').includes(other.ip))!;
    const forged = path.join(work, 'forged_known_hosts');
    await fs.writeFile(forged, `${host.ip} ${otherKey.split(' ').slice(1).join(' ')}\n`);
    const changed = await failure(connect(host, { ansible_ssh_known_hosts_file: forged }, { acceptNewHostKeys: true }).exec('true'));
    expect(changed.message).to.include('HOST KEY CHANGED').and.include(`${forged}:1`);
  });

  it('fails only the dropped connection mid-command; the host and the other host go on', async () => {
    const [one, two] = [lab.hosts[0]!, lab.hosts[1]!];
    const victim = connect(one);
    const bystander = connect(one);
    const other = connect(two);
    const ppidFile = `/tmp/spec-lab-ssh-ppid-${randomBytes(4).toString('hex')}`;
    // The command's nearest sshd ancestor (the long-lived command shell sits between them).
    const sshdOf = 'p=$PPID; until case $(cat /proc/$p/comm) in sshd*) true;; *) false;; esac; do p=$(cut -d" " -f4 /proc/$p/stat); done';
    const inFlight = failure(victim.exec(`${sshdOf}; echo $p > ${ppidFile}; sleep 60`)); // handled from the start
    let ppid = '';
    while (!/^\d+$/.test(ppid)) ppid = (await bystander.exec(sh`cat ${ppidFile} 2>/dev/null`)).stdout.trim();
    // The victim's server-side sshd process: killing it drops that one TCP connection.
    expect((await bystander.exec(sh`kill -KILL ${ppid}; rm -f ${ppidFile}`)).code).to.equal(0);
    const e = await inFlight;
    expect(e).to.be.instanceOf(UnreachableError);
    expect(e.message).to.include(`connection to root@${one.ip}:22 lost`);
    expect(await failure(victim.exec('true'))).to.be.instanceOf(UnreachableError);
    expect((await bystander.exec('uname -n')).stdout.trim()).to.equal(one.name);
    expect((await other.exec('uname -n')).stdout.trim()).to.equal(two.name);
  });
});
