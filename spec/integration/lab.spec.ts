// The local lab cluster itself, over real SSH (engine/connection): names, addresses, the bridge,
// systemd as PID 1, the stand-in apt repository and product, crash/restart, light hosts.
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { openConnection } from '../../engine/connection/index';
import type { Connection, HostName } from '../../engine/types';
import { sh } from '../../engine/shell';
import { parse } from 'yaml';
import { BRIDGE_IP, INVENTORY_FILE, KNOWN_HOSTS, LAB_KEY, LIGHT_INVENTORY_FILE, labHosts, lightHosts, STANDIN_PORT } from '../../lab/config';
import { downLight, renew, status, up, upLight } from '../../lab/lab';
import { LAB_START_TIMEOUT_MS, startLab, type LabHandle } from '../support/lab';

async function ok(conn: Connection, command: string): Promise<string> {
  const r = await conn.exec(command);
  expect(r.code, `${command}\n${r.stderr}`).to.equal(0);
  return r.stdout;
}

describe('lab cluster (systemd-nspawn hosts)', function () {
  this.timeout(120_000);
  let lab: LabHandle;
  const [one, two] = labHosts(2) as [{ name: string; ip: string }, { name: string; ip: string }];

  before(async function () {
    this.timeout(LAB_START_TIMEOUT_MS);
    lab = await startLab();
    // The lab as `up` makes it: fresh disks, whatever earlier runs deployed on these hosts.
    await renew(2, 'nspawn');
  });

  it('has two hosts, each answering SSH with its own name and address', async () => {
    expect(lab.hosts.map((h) => h.name)).to.deep.equal(['vprotect1', 'vprotect2']);
    for (const host of lab.hosts) {
      const conn = lab.connect(host.name);
      expect((await ok(conn, 'uname -n')).trim()).to.equal(host.name);
      expect(await ok(conn, 'ip -4 -o addr show dev host0')).to.include(` ${host.ip}/24 `);
    }
  });

  it('writes an Ansible YAML inventory with the lab key and known_hosts', async () => {
    const text = await fs.readFile(INVENTORY_FILE, 'utf8');
    const doc = parse(text) as { all: { children: { cluster: { hosts: Record<string, Record<string, string>> } } } };
    const hosts = doc.all.children.cluster.hosts;
    expect(Object.keys(hosts)).to.deep.equal(['vprotect1', 'vprotect2']);
    expect(hosts['vprotect2']).to.deep.equal({
      ansible_host: two.ip,
      ansible_user: 'root',
      ansible_ssh_private_key_file: LAB_KEY,
      ansible_ssh_known_hosts_file: KNOWN_HOSTS,
    });
    const known = await fs.readFile(KNOWN_HOSTS, 'utf8');
    expect(known).to.match(new RegExp(`^vprotect1,${one.ip.replace(/\./g, '\\.')} ssh-ed25519 `, 'm'));
  });

  it('connects the hosts over the bridge and keeps them off any uplink', async () => {
    const a = lab.connect(one.name);
    const b = lab.connect(two.name);
    await ok(a, sh`ping -c 1 -W 3 ${two.ip}`);
    await ok(b, sh`ping -c 1 -W 3 ${one.ip}`);
    await ok(a, sh`ping -c 1 -W 3 ${BRIDGE_IP}`);
    expect((await ok(a, 'ip -4 route')).trim()).to.equal(`198.18.0.0/24 dev host0 proto kernel scope link src ${one.ip}`);
  });

  it('runs systemd as PID 1, with the cluster stack installed but not started', async () => {
    const conn = lab.connect(one.name);
    expect((await ok(conn, 'ps -p 1 -o comm=')).trim()).to.equal('systemd');
    expect((await ok(conn, 'systemctl is-system-running --wait || true')).trim()).to.be.oneOf(['running', 'degraded']);
    for (const unit of ['corosync', 'pacemaker', 'pcsd', 'mariadb'])
      expect((await conn.exec(sh`systemctl is-enabled ${unit}`)).stdout.trim(), unit).to.equal('disabled');
    await ok(conn, 'command -v pcs crm_mon corosync-cfgtool drbdadm mariadb');
    // Debian's default cluster config stays, as on a real fresh server (the pacemaker role handles it).
    expect(await ok(conn, 'cat /etc/corosync/corosync.conf')).to.match(/cluster_name:\s*debian/);
    // The vProtect database a fresh install has (not started here: the roles start MariaDB).
    await ok(conn, 'test -f /var/lib/mysql/vprotect/settings.frm');
  });

  it('serves the stand-in apt repository offline, with vprotect-server 1.0 installed and 1.1 available', async () => {
    const conn = lab.connect(two.name);
    const update = await ok(conn, 'apt-get update 2>&1');
    expect(update).to.include('file:/srv/lab-apt');
    expect(update).not.to.match(/^(Err|W: Failed)/m);
    expect(await ok(conn, 'cat /etc/apt/sources.list.d/*.list; cat /etc/apt/sources.list 2>/dev/null || true')).not.to.match(/https?:/);
    const sim = await ok(conn, 'apt-get install -s vprotect-server=1.1');
    expect(sim).to.match(/^Inst vprotect-server \[1\.0\] \(1\.1 /m);
    expect((await ok(conn, "dpkg-query -W -f '${Version}' vprotect-node")).trim()).to.equal('1.0');
  });

  it('runs the stand-in vProtect server: /api on 8080 answers with its version and host name', async () => {
    for (const host of [one, two]) {
      const conn = lab.connect(host.name);
      await ok(conn, 'systemctl start vprotect-server');
      const version = (await ok(conn, "dpkg-query -W -f '${Version}' vprotect-server")).trim();
      // Started just now: give the service a moment to bind its port.
      const api = await ok(conn, sh`curl -sf --retry 20 --retry-connrefused --retry-delay 1 http://127.0.0.1:${STANDIN_PORT}/api`);
      const body = JSON.parse(api) as Record<string, unknown>;
      expect(body).to.include({ version, hostname: host.name, licensed: host.name === 'vprotect1' });
      expect(body['product']).to.match(/lab stand-in/);
      await ok(conn, 'test -s /opt/vprotect/.session.properties');
    }
    // And across the bridge.
    const fromTwo = await ok(lab.connect(two.name), sh`curl -sf http://${one.ip}:${STANDIN_PORT}/api`);
    expect(JSON.parse(fromTwo)).to.include({ hostname: one.name });
  });

  it('records node registrations with the stand-in vprotect CLI', async () => {
    const conn = lab.connect(two.name);
    const name = `spec-${randomBytes(3).toString('hex')}`;
    await ok(conn, sh`vprotect node -e ${name} admin http://127.0.0.1:8080/api`);
    expect(await ok(conn, 'vprotect node -l')).to.match(new RegExp(`^${name}\\s+http://127\\.0\\.0\\.1:8080/api$`, 'm'));
    await ok(conn, sh`vprotect node -d ${name}`);
    expect(await ok(conn, 'vprotect node -l')).not.to.include(name);
  });

  it('is idempotent: `up` again leaves the running hosts alone', async () => {
    const before = await status();
    const inventory = await fs.readFile(INVENTORY_FILE, 'utf8');
    await up(2, 'nspawn');
    const after = await status();
    expect(after.filter((h) => h.kind === 'full')).to.deep.equal(before.filter((h) => h.kind === 'full'));
    expect(after.filter((h) => h.kind === 'full').every((h) => h.state === 'running' && h.sshd && h.pid)).to.equal(true);
    expect(await fs.readFile(INVENTORY_FILE, 'utf8')).to.equal(inventory);
  });

  it('crashes a host (it stays down) and restarts it on the disk it had', async () => {
    const marker = `/root/crash-marker-${randomBytes(3).toString('hex')}`;
    await ok(lab.connect(two.name), sh`echo kept > ${marker} && sync`);
    await lab.crash(two.name);
    const down = (await status()).find((h) => h.name === two.name)!;
    expect(down.state).to.equal('down');
    expect(down.sshd).to.equal(false);
    expect(down.exit).to.be.a('number').and.not.equal(133); // 133 would mean a reboot
    const still = await lab.connect(two.name, { connectTimeoutMs: 2000 }).exec('true').then(
      (r) => `answered ${JSON.stringify(r)}`,
      (e: Error) => e.name,
    );
    expect(still).to.equal('UnreachableError');
    await lab.restart(two.name);
    const conn = lab.connect(two.name);
    expect((await ok(conn, sh`cat ${marker}`)).trim()).to.equal('kept');
    expect((await ok(conn, 'uname -n')).trim()).to.equal(two.name);
    await ok(conn, sh`rm -f ${marker}`);
  });

  it('boots a host again after `systemctl reboot` inside it (the supervisor)', async () => {
    const before = (await status()).find((h) => h.name === one.name)!;
    const conn = lab.connect(one.name);
    await ok(conn, 'echo this-boot > /run/lab-boot-marker');
    await ok(conn, 'systemd-run --on-active=1 /bin/systemctl reboot');
    // A new nspawn process (the supervisor booted it again) whose sshd answers.
    const deadline = Date.now() + 90_000;
    let after = before;
    while (Date.now() < deadline) {
      after = (await status()).find((h) => h.name === one.name)!;
      if (after.pid !== undefined && after.pid !== before.pid && after.sshd) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(after.pid).to.be.a('number').and.not.equal(before.pid);
    expect(after.state).to.equal('running');
    const again = lab.connect(one.name);
    expect((await again.exec('test -e /run/lab-boot-marker')).code).to.equal(1); // /run is per boot
    expect((await ok(again, 'uname -n')).trim()).to.equal(one.name);
  });

  describe('light hosts (sshd in a network namespace)', () => {
    const light = lightHosts(3);
    before(async () => {
      await upLight(3);
    });
    after(async () => {
      await downLight();
    });

    it("answers SSH with its own name, keeps /tmp and /etc/lab-light private and root's home empty", async () => {
      const inv = parse(await fs.readFile(LIGHT_INVENTORY_FILE, 'utf8')) as { all: { children: { light: { hosts: object } } } };
      expect(Object.keys(inv.all.children.light.hosts)).to.deep.equal(light.map((h) => h.name));
      const tag = randomBytes(4).toString('hex');
      for (const host of light) {
        const conn = lab.connect(one.name); // reach it from a full host too: same bridge
        await ok(conn, sh`ping -c 1 -W 3 ${host.ip}`);
      }
      const a = light.map((h) =>
        openConnection(
          { name: h.name as HostName, groups: ['all', 'light'], vars: { ansible_host: h.ip, ansible_ssh_private_key_file: LAB_KEY } },
          { knownHostsFile: KNOWN_HOSTS },
        ),
      );
      try {
        for (const [i, conn] of a.entries()) {
          expect((await ok(conn, 'uname -n')).trim()).to.equal(light[i]!.name);
          // The controller's ~/.bashrc must not run in every session (lab/light.ts).
          expect((await ok(conn, 'mountpoint -q /root && ls -A /root | wc -l')).trim(), 'private, empty /root').to.equal('0');
          await ok(conn, sh`echo ${light[i]!.name} > /tmp/${tag} && echo ${light[i]!.name} > /etc/lab-light/${tag}`);
        }
        for (const [i, conn] of a.entries()) {
          expect((await ok(conn, sh`cat /tmp/${tag} /etc/lab-light/${tag}`)).split('\n').filter(Boolean)).to.deep.equal([
            light[i]!.name,
            light[i]!.name,
          ]);
        }
      } finally {
        await Promise.all(a.map((c) => c.close()));
      }
      await fs.access(`/tmp/${tag}`).then(
        () => expect.fail('a light host wrote into the controller /tmp'),
        () => undefined,
      );
    });
  });
});
