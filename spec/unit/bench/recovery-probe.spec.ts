// The recovery benchmark's readings: crm_mon's XML as where each resource runs and which nodes may take it,
// the node probe's three sections, and the settings the report names next to the phases they govern.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderSections, splitSectionsScript } from '../../../engine/connection/framing';
import { bothUpToDate, isPrimary, nodeProbe, peerConnected, readClusterView, readNodeView } from '../../../bench/recovery-probe';
import { parseCibResources, parseCmap, readSettings, settingsProbe } from '../../../bench/recovery-settings';

const fixture = (name: string): string => readFileSync(path.join(__dirname, '../../fixtures', name), 'utf8');

describe('bench: recovery readings', () => {
  it('reads where the group, its storage, the floating IP and MariaDB run, and where pingd and the promotion score are set', () => {
    const v = readClusterView(fixture('bench/crm_mon-storage.xml'));
    expect(v.nodes.map((n) => [n.name, n.online, n.standby])).to.deep.equal([
      ['vprotect1', true, false],
      ['vprotect2', true, false],
    ]);
    expect(v).to.deep.include({ group: ['vprotect1'], storage: ['vprotect1'], vip: ['vprotect1'], mariadb: ['vprotect1', 'vprotect2'] });
    expect(v.pingd, 'pingd 0 does not count').to.deep.equal(['vprotect1']);
    expect(v.promotable).to.deep.equal(['vprotect1', 'vprotect2']);
  });

  it('reads a crm_mon without node attributes as nowhere promotable', () => {
    const xml = fixture('bench/crm_mon-storage.xml').replace(/<node_attributes>[\s\S]*<\/node_attributes>/, '');
    expect(readClusterView(xml)).to.deep.include({ pingd: [], promotable: [] });
  });

  it('splits the node probe: DRBD 8.4 text status, the mount, the unit', () => {
    const token = 'abcdef0123456789';
    const parts = splitSectionsScript(nodeProbe(token));
    expect(parts?.parts).to.deep.equal(['drbdadm status replicate', 'findmnt -n -o SOURCE /vprotect_data', 'systemctl is-active vprotect-server']);
    const primary = renderSections(token, [
      { code: 0, stdout: 'replicate role:Primary\n  disk:UpToDate\n  peer role:Secondary\n    replication:Established peer-disk:UpToDate\n' },
      { code: 0, stdout: '/dev/drbd0\n' },
      { code: 0, stdout: 'active\n' },
    ]);
    const v = readNodeView(primary, token)!;
    expect(v).to.deep.include({ mountedFrom: '/dev/drbd0', service: 'active' });
    expect([isPrimary(v.drbd), peerConnected(v.drbd), bothUpToDate(v.drbd)]).to.deep.equal([true, true, true]);

    const cut = renderSections(token, [
      { code: 0, stdout: 'replicate role:Secondary\n  disk:UpToDate\n  peer connection:Connecting\n' },
      { code: 1, stdout: '' },
      { code: 3, stdout: 'inactive\n' },
    ]);
    const c = readNodeView(cut, token)!;
    expect(c).to.deep.include({ mountedFrom: '', service: 'inactive' });
    expect([isPrimary(c.drbd), peerConnected(c.drbd), bothUpToDate(c.drbd)]).to.deep.equal([false, false, false]);
  });

  it('has no DRBD status while the resource is down, and drops a probe cut short', () => {
    const token = 'abcdef0123456789';
    const down = renderSections(token, [
      { code: 10, stdout: 'replicate: No such resource\n' },
      { code: 1, stdout: '' },
      { code: 3, stdout: 'inactive\n' },
    ]);
    expect(readNodeView(down, token)).to.deep.equal({ mountedFrom: '', service: 'inactive' });
    expect(readNodeView(down.slice(0, down.length / 2), token)).to.equal(undefined);
  });

  it('reads corosync timings from cmap (effective before configured), DRBD timeouts in their units, and the CIB operations', () => {
    const token = 'abcdef0123456789';
    const cib = `<resources>
      <primitive id="Failover_IP" class="ocf" provider="heartbeat" type="IPaddr2"><operations><op id="f-m" name="monitor" interval="30s"/></operations></primitive>
      <clone id="ping-clone"><primitive id="ping" class="ocf" provider="pacemaker" type="ping">
        <instance_attributes id="ping-ia"><nvpair id="ping-d" name="dampen" value="5s"/><nvpair id="ping-h" name="host_list" value="198.18.0.1"/></instance_attributes>
        <operations><op id="p-m" name="monitor" interval="10s"/><op id="p-s" name="start" interval="0s" timeout="60s"/></operations></primitive></clone>
      <group id="vProtect-group"><primitive id="vProtect-server" class="systemd" type="vprotect-server">
        <operations><op id="s-s" name="start" interval="0s" timeout="300s" on-fail="stop"/><op id="s-t" name="stop" interval="0s" timeout="300s"/><op id="s-m" name="monitor" interval="60s" timeout="300s"/></operations></primitive></group>
    </resources>`;
    const out = renderSections(token, [
      { code: 0, stdout: 'runtime.config.totem.token (u32) = 3000\nruntime.config.totem.consensus (u32) = 3600\ntotem.token (u32) = 1000\n' },
      { code: 0, stdout: '    token: 1000\n' },
      { code: 0, stdout: 'resource replicate {\n    net {\n        timeout         \t60; # 1/10 seconds _is_default\n        connect-int     \t10; # seconds _is_default\n        ping-int        \t10; # seconds _is_default\n        ping-timeout    \t5; # 1/10 seconds _is_default\n    }\n    disk {\n        disk-timeout    \t0; # 1/10 seconds _is_default\n    }\n}\n' },
      { code: 0, stdout: cib },
    ]);
    expect(splitSectionsScript(settingsProbe(token))?.parts).to.have.length(4);
    const s = readSettings(out, token);
    expect(s.token).to.deep.equal({ ms: 3000, from: 'corosync-cmapctl runtime.config.totem.token' });
    expect(s.consensus.ms).to.equal(3600);
    expect([s.drbd.pingInt.ms, s.drbd.pingTimeout.ms, s.drbd.timeout.ms, s.drbd.connectInt.ms]).to.deep.equal([10_000, 500, 6000, 10_000]);
    expect(s.resources.get('ping')).to.deep.equal({ monitorInterval: '10s', startTimeout: '60s', attributes: { dampen: '5s', host_list: '198.18.0.1' } });
    expect(s.resources.get('vProtect-server')).to.deep.include({ monitorInterval: '60s', startTimeout: '300s', stopTimeout: '300s' });
    expect(parseCibResources(cib).get('Failover_IP')).to.deep.equal({ monitorInterval: '30s', attributes: {} });
  });

  it('falls back to corosync.conf, to 1.2 x token for consensus and to DRBD defaults, saying so', () => {
    const token = 'abcdef0123456789';
    const out = renderSections(token, [
      { code: 0, stdout: '' },
      { code: 0, stdout: '\ttoken: 5000\n' },
      { code: 20, stdout: '' },
      { code: 1, stdout: '' },
    ]);
    const s = readSettings(out, token);
    expect(s.token).to.deep.equal({ ms: 5000, from: '/etc/corosync/corosync.conf' });
    expect(s.consensus).to.deep.equal({ ms: 6000, from: "corosync's default (1.2 x token)" });
    expect(s.drbd.pingInt).to.deep.equal({ ms: 10_000, from: "DRBD's default (not read)" });
    expect(s.resources.size).to.equal(0);
    expect([...parseCmap('totem.token (u32) = 3000\ngarbage\n')]).to.deep.equal([['totem.token', 3000]]);
  });
});
