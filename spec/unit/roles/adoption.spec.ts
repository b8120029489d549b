// The roles' adoption decisions from what a cluster already is: MariaDB settings that keep a live identity,
// and the CIB plan (recreate, leave alone, refuse), judged from the CIB alone, storage included.
import { expect } from 'chai';
import type { MysqlSurvey } from '../../../modules/mysql/survey';
import { commandLineOwned, nodeSettings, strayLines } from '../../../roles/mariadb_master_master/settings';
import { planCib } from '../../../roles/pacemaker/adoption';
import { constraints, IDS, resources } from '../../../roles/pacemaker/layout';
import { pacemakerVars } from '../../../roles/pacemaker/vars';
import { parseCib } from '../../../modules/pcs/cib';
import { whatDiffers } from '../../../modules/pcs/cib-push';
import { isRenamedOwnCluster } from '../../../modules/pcs/foreign-cluster';
import { parseCorosyncConf } from '../../../modules/pcs/corosync-conf';
import { fixture } from '../modules/pcs/pcs-fakes';
import { failureMessage } from '../../support/failure';

const live = (over: Partial<NonNullable<MysqlSurvey['live']>> = {}): NonNullable<MysqlSurvey['live']> => ({
  version: '10.11.19-MariaDB', datadir: '/var/lib/mysql/', serverId: 1, logBin: true, logBinBasename: '/var/lib/mysql/mysqld-bin',
  relayLogBasename: '/var/lib/mysql/mysqld-relay-bin', relayLogSet: false, binlogFormat: 'MIXED', replicateDoDb: 'vprotect',
  autoIncrementIncrement: 1, autoIncrementOffset: 1, bindAddress: '0.0.0.0', port: 3306, gtidDomainId: 0, gtidBinlogPos: '', gtidSlavePos: '', semiSync: {}, ...over,
});
const survey = (l: MysqlSurvey['live'], extra: Partial<MysqlSurvey> = {}): MysqlSurvey => ({ changed: false, running: true, live: l, binaryLogs: [], commandLine: [], ...extra });
const input = (s: MysqlSurvey, peer: MysqlSurvey, position = 1) => ({ name: `vprotect${position}`, position, nodes: 2, survey: s, peerSurvey: peer, database: 'vprotect', bindAddress: '0.0.0.0', port: 3306, semiSync: true, semiSyncTimeoutMs: 10000 });

describe('mariadb_master_master: settings from the live server', () => {
  it('a server with a binary log keeps its log names (as MariaDB wrote them, datadir-relative) and its server id', () => {
    const s = nodeSettings(input(survey(live({ serverId: 10 })), survey(live({ serverId: 20 }))));
    expect(s.logBinName).to.equal('mysqld-bin');
    expect(s.relayLogName).to.equal('mysqld-relay-bin');
    expect(s.settings).to.deep.include({ server_id: 10, log_bin: '/var/lib/mysql/mysqld-bin', auto_increment_increment: 2, auto_increment_offset: 1, binlog_format: 'ROW' });
  });

  it('a fresh server (no binary log, no replica) gets the role\'s names and its position as server id', () => {
    const fresh = survey(live({ logBin: false, logBinBasename: undefined }));
    const s = nodeSettings(input(fresh, fresh, 2));
    expect([s.logBinName, s.relayLogName, s.settings.server_id]).to.deep.equal(['vprotect2-bin', 'vprotect2-relay-bin', 2]);
  });

  it('logs outside the data directory keep their absolute name; equal server ids on both nodes are not kept', () => {
    const s = nodeSettings(input(survey(live({ logBinBasename: '/var/log/mysql/mariadb-bin' })), survey(live()), 2));
    expect(s.logBinName).to.equal('/var/log/mysql/mariadb-bin');
    expect(s.settings.server_id).to.equal(2);
  });

  it('finds the owned settings set outside the drop-in, and those on mariadbd\'s command line', () => {
    const lines = [
      { file: '/etc/mysql/mariadb.conf.d/50-server.cnf', line: 10, group: 'mysqld', written: 'log-bin', name: 'log_bin', negated: false, text: 'log-bin' },
      { file: '/etc/mysql/mariadb.conf.d/50-server.cnf', line: 19, group: 'mysqld', written: 'pid-file', name: 'pid_file', value: '/run/mysqld/mysqld.pid', negated: false, text: 'pid-file = /run/mysqld/mysqld.pid' },
      { file: '/etc/mysql/mariadb.conf.d/60-vprotect-replication.cnf', line: 6, group: 'mysqld', written: 'server_id', name: 'server_id', value: '1', negated: false, text: 'server_id = 1' },
    ];
    const s = survey(live(), { options: { files: [], groups: [], lines, printed: [], explained: true }, commandLine: ['--log-bin=other', '--skip-name-resolve'] });
    expect(strayLines(s, '/etc/mysql/mariadb.conf.d/60-vprotect-replication.cnf').map((l) => l.line)).to.deep.equal([10]);
    expect(commandLineOwned(s)).to.deep.equal(['--log-bin=other']);
  });
});

describe('pacemaker: the live CIB against the role (adoption plan, from the CIB alone)', () => {
  const vars = pacemakerVars.parse({ hacluster_password: 'x'.repeat(12), cluster_vip: '10.40.1.100', ping_gateway: '10.40.0.1', drbd_enabled: true });
  const params = { clusterName: 'mycluster', nodes: ['vprotect1', 'vprotect2'], resources: resources(vars), constraints: constraints(vars, 'vprotect1'), storage: [IDS.drbd, IDS.vdo, IDS.fs] };
  const HOWTO = fixture('cib-howto-0.11.xml');
  /** The how-to's CIB with vProtect-server as the how-to creates it (service:) in its group. */
  const withServer = (cib: string, cls = 'service'): string =>
    cib.replace('      </group>', `        <primitive id="vProtect-server" class="${cls}" type="vprotect-server"/>\n      </group>`);
  const plan = (cib: string) => planCib(parseCib(cib, 'spec'), params);
  const refusal = (cib: string): Promise<string> => failureMessage(Promise.resolve().then(() => plan(cib)));

  it('recreates the how-to\'s service:vprotect-server in the one push and names what it leaves alone', () => {
    const r = plan(withServer(HOWTO).replace('</resources>', '  <primitive id="my-monitor" class="ocf" provider="heartbeat" type="Dummy"/>\n    </resources>'));
    expect(r.recreate).to.deep.equal(['vProtect-server (agent service:vprotect-server -> systemd:vprotect-server)']);
    // The fixture's DRBD constraints are the how-to's, not the role's (which orders fs_group after the promotion).
    expect(r.unmanaged).to.deep.equal(['resource my-monitor', 'constraint order-replicateClone-vProtect-group-mandatory', 'constraint colocation-vProtect-group-replicateClone-INFINITY']);
  });

  it('refuses before anything is pushed: a hand-made constraint on a resource it would recreate', async () => {
    const cib = withServer(HOWTO).replace('</constraints>', '  <rsc_location id="my-pin" rsc="vProtect-server" node="vprotect2" score="100"/>\n    </constraints>');
    expect(await refusal(cib)).to.equal(
      'nothing is pushed to the cluster: vProtect-server runs service:vprotect-server, the role\'s systemd:vprotect-server; recreating it would delete constraint(s) my-pin that the role does not define: remove them, or recreate the resource by hand',
    );
  });

  it('refuses storage that differs (another DRBD resource name, the DRBD primitive in a group): the role does not re-point data', async () => {
    const renamed = HOWTO.replace('name="drbd_resource" value="replicate"', 'name="drbd_resource" value="r0"');
    expect(await refusal(renamed)).to.match(
      /^nothing is pushed to the cluster: storage resource replicate differs from the role's: drbd_resource=r0 \(the role's: replicate\); the role does not replace or re-point what holds the data: make the inventory describe it/,
    );
    // The how-to's own layout: replicate created --group fs_group, not a promotable clone.
    const grouped = HOWTO.replace('<clone id="replicateClone">', '<group id="fs_group">').replace(/<meta_attributes id="replicateClone-meta_attributes">[\s\S]*?<\/meta_attributes>\n\s*<\/clone>/, '</group>');
    expect(await refusal(grouped)).to.match(/storage resource replicate differs from the role's: in group fs_group \(the role's: promotable clone replicateClone\)/);
  });

  it('refuses an id of the role taken by another kind (a group where a primitive is wanted)', async () => {
    const cib = HOWTO.replace('<primitive id="Failover_IP" class="ocf" type="IPaddr2" provider="heartbeat">', '<group id="Failover_IP"><primitive id="x" class="ocf" type="IPaddr2" provider="heartbeat">').replace(
      /(<primitive id="x"[\s\S]*?<\/primitive>)/,
      '$1</group>',
    );
    expect(await refusal(cib)).to.contain('Failover_IP is a group in the CIB; the role\'s Failover_IP is a ocf:heartbeat:IPaddr2 resource');
  });

  it('says what a push changes, by id', () => {
    const before = parseCib(withServer(HOWTO), 'live');
    const after = parseCib(withServer(HOWTO, 'systemd').replace('name="stonith-enabled" value="false"', 'name="stonith-enabled" value="true"'), 'file');
    expect(whatDiffers(before, after)).to.equal('resources changed: vProtect-server; cluster properties or defaults changed');
  });

  it('a corosync cluster of exactly the inventory\'s nodes under another name is this cluster, not a leftover', () => {
    const conf = parseCorosyncConf(fixture('corosync-0.11-two-nodes.conf'));
    expect(isRenamedOwnCluster(conf, ['vprotect2', 'vprotect1'])).to.equal(true);
    expect(isRenamedOwnCluster(parseCorosyncConf(fixture('corosync-debian-default.conf')), ['vprotect1', 'vprotect2'])).to.equal(false);
  });
});
