// Loosely scripted Debian 12 hosts for driving the real roles on FakeConnections (safety specs): file
// probes answered from a fake filesystem, the probes the roles read answered as on a fresh lab pair, the
// MariaDB pair's state kept across both hosts (replication, probe rows); everything else "succeeds" with
// no output. Good enough to walk site.ts through every step that carries a secret.
import type { ExecOptions, HostName } from '../../engine/types';
import { FakeConnection } from './fake-connection';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fakeFs } from './fake-files';
import { PCS_VERSION_PROBE } from '../../modules/pcs/dialect';

/** `mysql -X` output of one result set. */
export function mysqlXml(rows: readonly Readonly<Record<string, string>>[]): string {
  const body = rows
    .map((r) => `  <row>\n${Object.entries(r).map(([k, v]) => `\t<field name="${k}">${v}</field>`).join('\n')}\n  </row>\n`)
    .join('');
  return `<?xml version="1.0"?>\n<resultset statement="q" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n${body}</resultset>\n`;
}

export interface SiteCluster {
  host(name: string): FakeConnection;
}

/** What the pair shares: replicated probe rows, the cluster pcs set up (corosync.conf on every node). */
interface Shared {
  readonly probeRows: Map<string, string>;
  readonly hosts: Map<string, FakeConnection>;
}

const COROSYNC = (name: string): string =>
  readFileSync(path.join(__dirname, '..', 'fixtures', 'pcs', 'corosync-0.11-two-nodes.conf'), 'utf8').replace('cluster_name: mycluster', `cluster_name: ${name}`);

const CIB = readFileSync(path.join(__dirname, '..', 'fixtures', 'pcs', 'cib-howto-0.11.xml'), 'utf8');

/** crm_mon with both nodes online and everything on vprotect1 (the preferred node). */
const CRM_MON = [
  '<pacemaker-result api-version="2.2" request="crm_mon --output-as=xml">',
  '  <nodes><node name="vprotect1" online="true" standby="false"/><node name="vprotect2" online="true" standby="false"/></nodes>',
  '  <resources>',
  '    <resource id="Failover_IP" resource_agent="ocf:heartbeat:IPaddr2" role="Started" active="true" failed="false"><node name="vprotect1"/></resource>',
  '    <group id="vProtect-group"><resource id="vProtect-server" resource_agent="systemd:vprotect-server" role="Started" active="true" failed="false"><node name="vprotect1"/></resource></group>',
  '  </resources>',
  '</pacemaker-result>',
].join('\n');

export function siteCluster(): SiteCluster {
  const shared: Shared = { probeRows: new Map(), hosts: new Map() };
  return {
    host: (name) => {
      const c = siteHost(name, shared);
      shared.hosts.set(name, c);
      return c;
    },
  };
}

function siteHost(name: string, shared: Shared): FakeConnection {
  const { probeRows } = shared;
  const c = new FakeConnection(name as HostName);
  c.on(() => true, {});
  fakeFs(c);
  c.file('/etc/hosts', `127.0.0.1 localhost\n127.0.1.1 ${name}\n`);
  if (name === 'vprotect1') {
    // The license and node identity the registration role copies to the peer (vprotect1 only, as in the lab).
    c.file('/opt/vprotect/license.key', 'LICENSE\n', { mode: 0o600 });
    c.file('/opt/vprotect/.session.properties', 'node=vprotect1\n', { mode: 0o600 });
  }
  c.on('command -v firewall-cmd', { stdout: 'fw=absent\n' });
  c.on('getent shadow', { stdout: 'changed\n' });
  c.on('systemctl show -p LoadState', { stdout: 'LoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\n' });

  const coordinates = `-- CHANGE MASTER TO MASTER_LOG_FILE='${name}-bin.000001', MASTER_LOG_POS=328;`;
  c.on('mysqldump --help', { stdout: '--master-data\n' });
  c.on(/mysqldump.* > /, (cmd, _o, host) => {
    const dest = /&& mv \S+ (\S+)$/.exec(cmd)?.[1]?.replace(/^'|'$/g, '');
    if (dest) host.file(dest, `${coordinates}\nCREATE TABLE t (id INT);\n`, { mode: 0o600 });
    return {};
  });
  c.on('grep -m1 -E', { stdout: `${coordinates}\n` });
  c.on(/^sha256sum /, { stdout: `${'0'.repeat(64)}  /root/vprotect-ha-seed.sql\n` });

  c.on(PCS_VERSION_PROBE, { stdout: '0.11.5-1+deb12u1\n' });
  // pcsd answers with a token only after `pcs host auth` ran here.
  let authed = false;
  c.on(/^pcs host auth /, () => ((authed = true), {}));
  c.on(/^pcs status pcsd /, (cmd) => ({
    code: authed ? 0 : 2,
    stdout: ['vprotect1', 'vprotect2', '198.18.0.10'].filter((n) => cmd.includes(n)).map((n) => `  ${n}: ${authed ? 'Online' : 'Unable to authenticate'}`).join('\n') + '\n',
  }));
  c.on(/^pcs cluster setup (\S+) /, (cmd) => {
    const cluster = /^pcs cluster setup (\S+) /.exec(cmd)![1]!.replace(/^'|'$/g, '');
    for (const h of shared.hosts.values()) h.file('/etc/corosync/corosync.conf', COROSYNC(cluster));
    return {};
  });
  c.on('crm_mon --one-shot', { stdout: CRM_MON });
  // A quorum device pcs added reaches its arbiter at once.
  c.on('corosync-qdevice-tool -s', { stdout: 'Qdevice-net information\nState:\t\t\tConnected\n' });
  // The live CIB: the how-to's configuration as pcs 0.11 wrote it (recorded fixture).
  c.on((cmd) => cmd === 'cibadmin --query', { stdout: CIB });
  c.on(/^umask 077; cibadmin --query > \S+$/, (cmd, _o, host) => {
    host.file(cmd.slice('umask 077; cibadmin --query > '.length).replace(/^'|'$/g, ''), CIB);
    return {};
  });
  let primary: string | undefined;
  c.on(/^mysql .*-X|^mysql -X/, (_cmd, opts: ExecOptions) => {
    const sql = String(opts.stdin ?? '');
    const change = /CHANGE MASTER TO MASTER_HOST = '([^']+)'/.exec(sql);
    if (change) primary = change[1];
    const replace = /REPLACE INTO \w+ \(server_id, token\) VALUES \((\d+), '([^']+)'\)/.exec(sql);
    if (replace) probeRows.set(replace[1]!, replace[2]!);
    // Each node runs with the role's settings and replicates its peer (once told to) from the peer's first binlog.
    const peer = name === 'vprotect1' ? 'vprotect2' : 'vprotect1';
    const slave = () => {
      const row = { Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Master_Host: primary ?? '', Master_User: 'replicator', Master_Port: '3306', Master_Log_File: `${peer}-bin.000001`, Read_Master_Log_Pos: '328', Relay_Log_File: `${name}-relay-bin.000002`, Relay_Master_Log_File: `${peer}-bin.000001`, Exec_Master_Log_Pos: '328' };
      return mysqlXml(primary ? [row] : []);
    };
    const master = mysqlXml([{ File: `${name}-bin.000001`, Position: '328' }]);
    const live = {
      server_id: name === 'vprotect1' ? '1' : '2', log_bin: '1', log_bin_basename: `/var/lib/mysql/${name}-bin`, relay_log_basename: `/var/lib/mysql/${name}-relay-bin`,
      relay_log: `/var/lib/mysql/${name}-relay-bin`, datadir: '/var/lib/mysql/', pid_file: '/run/mysqld/mysqld.pid', binlog_format: 'ROW', replicate_do_db: 'vprotect',
      aii: '2', aio: name === 'vprotect1' ? '1' : '2',
      bind_address: '0.0.0.0', port: '3306', version: '10.11.6-MariaDB', gtid_domain_id: '0', gtid_binlog_pos: '', gtid_slave_pos: '',
    };
    // Semi-sync as the role sets it, printed as SHOW GLOBAL VARIABLES prints it.
    const semiSync = mysqlXml(
      Object.entries({ rpl_semi_sync_master_enabled: 'ON', rpl_semi_sync_master_timeout: '10000', rpl_semi_sync_master_wait_point: 'AFTER_SYNC', rpl_semi_sync_slave_enabled: 'ON', rpl_semi_sync_master_wait_no_slave: 'OFF', sync_binlog: '1' }).map(
        ([Variable_name, Value]) => ({ Variable_name, Value }),
      ),
    );
    if (sql.includes('@@version AS version')) return { stdout: mysqlXml([live]) + master + slave() + semiSync };
    if (sql.includes('SHOW BINARY LOGS')) return { stdout: mysqlXml([{ Log_name: `${name}-bin.000001`, File_size: '328' }]) };
    if (sql.includes('@@relay_log_basename AS b')) return { stdout: mysqlXml([{ b: live.relay_log_basename }]) };
    if (sql.includes('@@datadir AS d')) return { stdout: mysqlXml([{ d: live.datadir }]) };
    if (sql.includes('SHOW SLAVE STATUS')) return { stdout: slave() };
    if (sql.includes('SHOW MASTER STATUS')) return { stdout: master };
    const select = /SELECT token FROM \w+ WHERE server_id = (\d+)/.exec(sql);
    if (select) return { stdout: mysqlXml(probeRows.has(select[1]!) ? [{ token: probeRows.get(select[1]!)! }] : []) };
    return { stdout: '' };
  });
  return c;
}
