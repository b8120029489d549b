// The whole HA stack on two fresh lab hosts, over real SSH: site.ts, its idempotent rerun, --tags mariadb,
// and the fail-over test, checked from outside with crm_mon, mysql, the vprotect CLI and ssh to the floating IP.
import { expect } from 'chai';
import type { Connection, HostName } from '../../engine/types';
import { openConnection } from '../../engine/connection/index';
import { parseCrmMon, runningOn } from '../../modules/cluster_status';
import { site } from '../../playbooks/site';
import { failover } from '../../playbooks/failover';
import { upgrade } from '../../playbooks/upgrade';
import { renew } from '../../lab/lab';
import { LAB_KEY, STANDIN_PORT, VIP } from '../../lab/config';
import { ensureLabSecrets } from '../../lab/secrets';
import { writeVipKnownHosts } from '../../lab/vip';
import { LAB_START_TIMEOUT_MS, startLab, type LabHandle } from '../support/lab';
import { recapStats, runPlaybook, withStatus } from '../support/playbook-run';
import { drillReading } from '../support/drill-report';

const run = runPlaybook;

async function sh(conn: Connection, cmd: string): Promise<string> {
  const r = await conn.exec(cmd);
  if (r.code !== 0) throw new Error(`${conn.host}: ${cmd} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, seconds = 30): Promise<T> {
  let last = await probe();
  for (let i = 0; i < seconds && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    last = await probe();
  }
  return last;
}

async function vipAnswersAs(): Promise<string> {
  const vip = openConnection(
    { name: 'floating-ip' as HostName, groups: ['all'], vars: { ansible_host: VIP, ansible_ssh_private_key_file: LAB_KEY, ansible_ssh_known_hosts_file: writeVipKnownHosts() } },
    {},
  );
  try {
    return (await sh(vip, 'uname -n')).trim();
  } finally {
    await vip.close();
  }
}

describe('site.ts on the two-node lab (real SSH, pacemaker, MariaDB)', function () {
  this.timeout(15 * 60_000);
  let lab: LabHandle;
  let v1: Connection;
  let v2: Connection;

  before(async function () {
    this.timeout(LAB_START_TIMEOUT_MS);
    lab = await startLab();
    // Fresh hosts: their disks are dropped, so nothing earlier specs configured survives.
    await renew(2, 'nspawn');
    await ensureLabSecrets();
    v1 = lab.connect('vprotect1');
    v2 = lab.connect('vprotect2');
  });

  it('deploys the whole stack on fresh hosts with failed=0', async () => {
    const r = await run(site, lab.inventoryDir);
    expect(r.errors, r.errors.join('\n')).to.deep.equal([]);
    const failures = r.events.filter((e) => e.type === 'result' && (e.status === 'failed' || e.status === 'unreachable'));
    expect(failures, JSON.stringify(failures)).to.deep.equal([]);
    expect(r.code).to.equal(0);
    const stats = recapStats(r);
    expect(stats.vprotect1!.failed + stats.vprotect2!.failed).to.equal(0);
    expect(stats.vprotect1!.changed).to.be.greaterThan(0);
  });

  it('runs pacemaker with both nodes online and every service on the preferred node', async () => {
    const state = parseCrmMon(await sh(v1, 'crm_mon --one-shot --inactive --output-as=xml'));
    expect(state.nodes.map((n) => [n.name, n.online, n.standby])).to.deep.equal([
      ['vprotect1', true, false],
      ['vprotect2', true, false],
    ]);
    expect(runningOn(state, 'Failover_IP')).to.deep.equal(['vprotect1']);
    expect(runningOn(state, 'vProtect-group')).to.deep.equal(['vprotect1']);
    expect(runningOn(state, 'ping-clone').sort()).to.deep.equal(['vprotect1', 'vprotect2']);
    expect(await sh(v1, 'cat /etc/corosync/corosync.conf')).to.match(/two_node: 1/);
  });

  it('replicates MariaDB both ways: a row written on each side is read on the other', async () => {
    for (const c of [v1, v2]) {
      const status = await sh(c, "mysql -e 'SHOW SLAVE STATUS\\G'");
      expect(status).to.match(/Slave_IO_Running: Yes/);
      expect(status).to.match(/Slave_SQL_Running: Yes/);
    }
    const token = `spec-${process.pid}-${Date.now()}`;
    await sh(v1, `mysql vprotect -e "CREATE TABLE IF NOT EXISTS spec_rows (id INT AUTO_INCREMENT PRIMARY KEY, who VARCHAR(20), token VARCHAR(64))"`);
    await sh(v1, `mysql vprotect -e "INSERT INTO spec_rows (who, token) VALUES ('vprotect1', '${token}')"`);
    await eventually(() => sh(v2, 'mysql -N vprotect -e "SHOW TABLES LIKE \'spec_rows\'"'), (s) => s.includes('spec_rows'));
    await sh(v2, `mysql vprotect -e "INSERT INTO spec_rows (who, token) VALUES ('vprotect2', '${token}')"`);
    const read = (c: Connection) => sh(c, `mysql -N vprotect -e "SELECT who, id % 2 FROM spec_rows WHERE token = '${token}' ORDER BY who"`);
    const both = (s: string) => s.includes('vprotect1') && s.includes('vprotect2');
    const on1 = await eventually(() => read(v1), both);
    const on2 = await eventually(() => read(v2), both);
    expect(on1).to.equal(on2);
    // auto_increment_increment=2 with distinct offsets: the two nodes' keys never collide.
    expect(on1.trim().split('\n').map((l) => l.split('\t')[1])).to.deep.equal(['1', '0']);
  });

  it('registers the vProtect node at 127.0.0.1 and copies license and session to the peer', async () => {
    expect(await sh(v1, 'vprotect node -l')).to.match(/^vprotect1\s+http:\/\/127\.0\.0\.1:8080\/api$/m);
    expect(await sh(v2, 'sha256sum /opt/vprotect/license.key | cut -d" " -f1')).to.equal(await sh(v1, 'sha256sum /opt/vprotect/license.key | cut -d" " -f1'));
  });

  it('changes nothing on a second run', async () => {
    const r = await run(site, lab.inventoryDir);
    expect(r.code).to.equal(0);
    const changed = r.events.filter((e) => e.type === 'result' && e.status === 'changed');
    expect(changed, JSON.stringify(changed)).to.deep.equal([]);
    const stats = recapStats(r);
    expect([stats.vprotect1!.changed, stats.vprotect2!.changed]).to.deep.equal([0, 0]);
  });

  it('--tags mariadb runs only the mariadb role (after the read-only adoption checks)', async () => {
    const r = await run(site, lab.inventoryDir, '--tags', 'mariadb');
    expect(r.code).to.equal(0);
    const roles = new Set(r.events.flatMap((e) => (e.type === 'task' ? [e.task.role ?? '(play)'] : [])));
    expect([...roles]).to.deep.equal(['adoption_checks', 'mariadb_master_master']);
    expect(recapStats(r).vprotect1!.changed).to.equal(0);
  });

  it('fails over to vprotect2 and back; ssh to the floating IP answers as the active node; the drill reports the API\'s downtime and its row intact on each', async () => {
    expect(await vipAnswersAs()).to.equal('vprotect1');
    const over = await run(failover, lab.inventoryDir, '--tags', 'failover');
    expect(over.code, over.errors.join('\n') + withStatus(over, 'failed').join('\n')).to.equal(0);
    // No DRBD on this tier: the drill's probe record is its MariaDB row alone, replicated to vprotect2.
    const overDrill = drillReading(over, 'fail-over', 'vprotect2', false);
    expect(overDrill.seconds, overDrill.msg).to.be.greaterThan(0);
    const moved = parseCrmMon(await sh(v2, 'crm_mon --one-shot --inactive --output-as=xml'));
    expect(runningOn(moved, 'Failover_IP')).to.deep.equal(['vprotect2']);
    expect(runningOn(moved, 'vProtect-group')).to.deep.equal(['vprotect2']);
    expect(await eventually(vipAnswersAs, (n) => n === 'vprotect2')).to.equal('vprotect2');

    const back = await run(failover, lab.inventoryDir, '--tags', 'failback');
    expect(back.code, back.errors.join('\n') + withStatus(back, 'failed').join('\n')).to.equal(0);
    const backDrill = drillReading(back, 'fail-back', 'vprotect1', false);
    expect(backDrill.rowId, backDrill.msg).to.equal(overDrill.rowId);
    const home = parseCrmMon(await sh(v1, 'crm_mon --one-shot --inactive --output-as=xml'));
    expect(runningOn(home, 'Failover_IP')).to.deep.equal(['vprotect1']);
    expect(runningOn(home, 'vProtect-group')).to.deep.equal(['vprotect1']);
    expect(await eventually(vipAnswersAs, (n) => n === 'vprotect1')).to.equal('vprotect1');
  });

  it('upgrades one node at a time (serial 1) and ends with every service back on the preferred node', async () => {
    const version = (c: Connection) => sh(c, "dpkg-query -W -f='${Version}' vprotect-server");
    expect([await version(v1), await version(v2)]).to.deep.equal(['1.0', '1.0']);
    const r = await run(upgrade, lab.inventoryDir);
    expect(r.code, r.errors.join('\n') + JSON.stringify(r.events.filter((e) => e.type === 'result' && e.status === 'failed'))).to.equal(0);
    const batches = r.events.flatMap((e) => (e.type === 'play' ? [e.hosts.join(',')] : []));
    expect(batches).to.deep.equal(['vprotect1', 'vprotect2']);
    expect([await version(v1), await version(v2)]).to.deep.equal(['1.1', '1.1']);
    const state = parseCrmMon(await sh(v1, 'crm_mon --one-shot --inactive --output-as=xml'));
    expect(runningOn(state, 'vProtect-group')).to.deep.equal(['vprotect1']);
    const api = await eventually(
      async () => ((await (await fetch(`http://${VIP}:${STANDIN_PORT}/api`).catch(() => undefined))?.json().catch(() => undefined)) ?? {}) as { version?: string; hostname?: string },
      (a) => a.version === '1.1',
    );
    expect(api).to.include({ version: '1.1', hostname: 'vprotect1' });
    // Still one cluster-owned service: the package upgrade must not have re-enabled it at boot.
    expect((await v1.exec('systemctl is-enabled vprotect-server')).stdout.trim()).to.equal('disabled');
  });
});
