// pcs_quorum_device on fake hosts: corosync.conf as pcs 0.11 writes it with and without the device (the fixture
// made by `pcs cluster setup` and `pcs quorum device add` with --corosync_conf), the plan for each difference,
// --check, and the wait for corosync-qdevice to reach the arbiter.
import { expect } from 'chai';
import { sh } from '../../../../engine/shell';
import { pcsQuorumDevice, type PcsQuorumDeviceParams } from '../../../../modules/pcs';
import { parseCorosyncConf } from '../../../../modules/pcs/corosync-conf';
import { moduleContext } from '../../../support/module-context';
import { failureMessage as failure } from '../../../support/failure';
import { changing, fixture, pcsHost } from './pcs-fakes';

const CONF = '/etc/corosync/corosync.conf';
const WITH_DEVICE = fixture('corosync-0.11-quorum-device.conf');
const WITHOUT = fixture('corosync-0.11-two-nodes.conf');
const HEURISTIC = '/usr/local/sbin/vprotect-ha-holds-vip';
const params: PcsQuorumDeviceParams = {
  arbiter: 'arbiter',
  host: '198.18.0.10',
  algorithm: 'ffsplit',
  heuristics: { mode: 'sync', exec: { holds_vip: HEURISTIC } },
  waitSeconds: 0,
};
const CONNECTED = 'Qdevice-net information\n----------------------\nCluster name:\t\tvprotect\nQNetd host:\t\t198.18.0.10:5403\nState:\t\t\tConnected\n';

function host(conf: string | undefined, qdevice = CONNECTED) {
  const h = pcsHost('vprotect1');
  if (conf !== undefined) h.file(CONF, conf);
  h.on(/^pcs quorum device /, { code: 0 });
  h.on('corosync-qdevice-tool -s', { stdout: qdevice });
  return h;
}
const writes = (h: ReturnType<typeof host>): string[] => changing(h).filter((c) => c !== 'corosync-qdevice-tool -s');

describe('pcs_quorum_device', () => {
  it('reads the device pcs writes into corosync.conf (and none from a two-node file)', () => {
    expect(parseCorosyncConf(WITH_DEVICE).quorumDevice).to.deep.equal({
      model: 'net',
      host: '198.18.0.10',
      algorithm: 'ffsplit',
      heuristicsMode: 'sync',
      heuristicsExec: { holds_vip: HEURISTIC },
    });
    expect(parseCorosyncConf(WITH_DEVICE).twoNode, 'pcs drops two_node with a device').to.equal(false);
    expect(parseCorosyncConf(WITHOUT).quorumDevice).to.equal(undefined);
  });

  it('adds the device to a two-node cluster, then waits for corosync-qdevice to connect', async () => {
    const h = host(WITHOUT);
    const r = await pcsQuorumDevice(params).run(moduleContext(h));
    const add = sh`pcs quorum device add model net ${'host=198.18.0.10'} ${'algorithm=ffsplit'} heuristics ${'mode=sync'} ${`exec_holds_vip=${HEURISTIC}`}`;
    expect(r).to.deep.include({ changed: true, commands: [add], msg: 'add the quorum device (corosync-qnetd on arbiter, 198.18.0.10)' });
    expect(writes(h)).to.deep.equal([add]);
    expect(h.commands).to.include('corosync-qdevice-tool -s');
  });

  it('changes nothing when corosync.conf has the same device (a rerun)', async () => {
    const h = host(WITH_DEVICE);
    const r = await pcsQuorumDevice(params).run(moduleContext(h));
    expect(r).to.deep.include({ changed: false, commands: [], msg: 'quorum device: corosync-qnetd on arbiter (198.18.0.10)' });
    expect(writes(h)).to.deep.equal([]);
  });

  it('updates the algorithm and heuristics in place, removing an exec the role no longer wants', async () => {
    const other = WITH_DEVICE.replace('algorithm: ffsplit', 'algorithm: lms').replace('exec_holds_vip:', 'exec_old:');
    const h = host(other);
    const r = await pcsQuorumDevice(params).run(moduleContext(h));
    expect(r.commands).to.deep.equal([
      sh`pcs quorum device update model ${'algorithm=ffsplit'} heuristics ${'mode=sync'} ${`exec_holds_vip=${HEURISTIC}`} ${'exec_old='}`,
    ]);
    expect(r.msg).to.equal(`update the quorum device (model net host=198.18.0.10 algorithm=lms heuristics mode=sync exec_old=${HEURISTIC}) to algorithm=ffsplit heuristics mode=sync`);
  });

  it('replaces a device that points at another arbiter (its certificates are not this one\'s)', async () => {
    const h = host(WITH_DEVICE.replace('host: 198.18.0.10', 'host: 10.0.0.9'));
    const r = await pcsQuorumDevice(params).run(moduleContext(h));
    expect(r.commands).to.deep.equal([
      'pcs quorum device remove',
      sh`pcs quorum device add model net ${'host=198.18.0.10'} ${'algorithm=ffsplit'} heuristics ${'mode=sync'} ${`exec_holds_vip=${HEURISTIC}`}`,
    ]);
  });

  it('under --check says what it would do and runs nothing, also before the cluster exists', async () => {
    const h = host(WITHOUT);
    const r = await pcsQuorumDevice(params).run(moduleContext(h, { check: true }));
    expect(r).to.deep.include({ changed: true, msg: 'would add the quorum device (corosync-qnetd on arbiter, 198.18.0.10)' });
    expect(writes(h)).to.deep.equal([]);
    const fresh = host(undefined);
    expect((await pcsQuorumDevice(params).run(moduleContext(fresh, { check: true }))).msg).to.equal('would add the quorum device (corosync-qnetd on arbiter, 198.18.0.10)');
  });

  it('fails naming the host, the arbiter and what corosync-qdevice said when it does not connect', async () => {
    const h = host(WITHOUT, 'Qdevice-net information\nQNetd host:\t\t198.18.0.10:5403\nState:\t\t\tConnect failed\n');
    expect(await failure(pcsQuorumDevice(params).run(moduleContext(h)))).to.equal(
      'the quorum device was configured but corosync-qdevice on vprotect1 did not connect to corosync-qnetd on arbiter (198.18.0.10) within 0 s: ' +
        'is corosync-qnetd running there and port 5403/tcp open? corosync-qdevice-tool -s said: Qdevice-net information | QNetd host:\t\t198.18.0.10:5403 | State:\t\t\tConnect failed',
    );
  });

  it('fails on a node without corosync.conf (the cluster comes first)', async () => {
    expect(await failure(pcsQuorumDevice(params).run(moduleContext(host(undefined))))).to.equal(
      'vprotect1 has no corosync.conf: the cluster must be set up before its quorum device',
    );
  });
});
