// pcs_resource on fake hosts serving recorded CIBs: create per dialect, update only what differs.
import { expect } from 'chai';
import { sh } from '../../../../engine/shell';
import { pcsResource, type PcsResourceParams } from '../../../../modules/pcs';
import { moduleContext } from '../../../support/module-context';
import { changing, fixture, pcsHost } from './pcs-fakes';

const EMPTY = fixture('cib-empty-0.11.xml');
const HOWTO = fixture('cib-howto-0.11.xml');
const HOWTO_09 = fixture('cib-howto-0.9.xml');
const pcs = (...words: string[]): string => sh`pcs ${words}`;

const ip: PcsResourceParams = {
  id: 'Failover_IP',
  agent: 'ocf:heartbeat:IPaddr2',
  attributes: { ip: '198.18.0.100', cidr_netmask: 24 },
  operations: [{ action: 'monitor', options: { interval: '30s' } }],
};
const drbd: PcsResourceParams = {
  id: 'replicate',
  agent: 'ocf:linbit:drbd',
  attributes: { drbd_resource: 'replicate' },
  operations: [{ action: 'monitor', options: { interval: '10s' } }],
  promotable: { id: 'replicateClone', meta: { 'promoted-max': 1, 'promoted-node-max': 1, 'clone-max': 2, 'clone-node-max': 1, notify: true } },
};

async function run(p: PcsResourceParams, cib: string, version = '0.11.5', check = false) {
  const h = pcsHost('vprotect1', { cib, version });
  const r = await pcsResource(p).run(moduleContext(h, { check }));
  return { h, r };
}

describe('pcs_resource', () => {
  describe('create', () => {
    it('creates a primitive with attributes and operations in one command', async () => {
      const { h, r } = await run(ip, EMPTY);
      expect(r).to.deep.include({ changed: true, created: true, msg: 'create resource Failover_IP' });
      expect(changing(h)).to.deep.equal([
        pcs('resource', 'create', 'Failover_IP', 'ocf:heartbeat:IPaddr2', 'ip=198.18.0.100', 'cidr_netmask=24', 'op', 'monitor', 'interval=30s'),
      ]);
    });

    it('creates into a group, with --force when asked', async () => {
      const { h } = await run(
        { id: 'vProtect-node', agent: 'systemd:vprotect-node', operations: [{ action: 'monitor', options: { timeout: '300s', 'on-fail': 'stop' } }], group: 'vProtect-group', force: true },
        EMPTY,
      );
      expect(changing(h)).to.deep.equal([
        pcs('resource', 'create', 'vProtect-node', 'systemd:vprotect-node', 'op', 'monitor', 'timeout=300s', 'on-fail=stop', '--group', 'vProtect-group', '--force'),
      ]);
    });

    it('0.11: a promotable clone with a custom id in the create command', async () => {
      const { h } = await run(drbd, EMPTY);
      expect(changing(h)).to.deep.equal([
        pcs('resource', 'create', 'replicate', 'ocf:linbit:drbd', 'drbd_resource=replicate', 'op', 'monitor', 'interval=10s',
          'promotable', 'replicateClone', 'promoted-max=1', 'promoted-node-max=1', 'clone-max=2', 'clone-node-max=1', 'notify=true'),
      ]);
    });

    it('0.10 before 0.10.10: master-* clone option names', async () => {
      const { h } = await run(drbd, EMPTY, '0.10.8');
      expect(changing(h)[0]).to.contain(sh`${['promotable', 'replicateClone', 'master-max=1', 'master-node-max=1']}`);
    });

    it('0.9: `resource master` names the master, so create disabled, wrap, then enable', async () => {
      const { h } = await run(drbd, EMPTY, '0.9.169');
      expect(changing(h)).to.deep.equal([
        pcs('resource', 'create', 'replicate', 'ocf:linbit:drbd', 'drbd_resource=replicate', 'op', 'monitor', 'interval=10s', '--disabled'),
        pcs('resource', 'master', 'replicateClone', 'replicate', 'master-max=1', 'master-node-max=1', 'clone-max=2', 'clone-node-max=1', 'notify=true'),
        pcs('resource', 'enable', 'replicate'),
      ]);
    });

    it('0.9: the default master id is created in one command', async () => {
      const { h } = await run({ ...drbd, promotable: { meta: { 'master-max': 1 } } }, EMPTY, '0.9.169');
      expect(changing(h)).to.deep.equal([
        pcs('resource', 'create', 'replicate', 'ocf:linbit:drbd', 'drbd_resource=replicate', 'op', 'monitor', 'interval=10s', 'master', 'master-max=1'),
      ]);
    });

    it('a plain clone with the default id', async () => {
      const { h } = await run({ id: 'ping', agent: 'ocf:pacemaker:ping', attributes: { host_list: '198.18.0.1' }, clone: {} }, EMPTY, '0.9.169');
      expect(changing(h)).to.deep.equal([pcs('resource', 'create', 'ping', 'ocf:pacemaker:ping', 'host_list=198.18.0.1', 'clone')]);
    });

    it('refuses a custom clone id pcs 0.10.0-0.10.6 cannot set', async () => {
      try {
        await run(drbd, EMPTY, '0.10.6');
        expect.fail('should have thrown');
      } catch (e) {
        expect((e as Error).message).to.equal(
          'pcs 0.10.6 cannot give a clone a custom id (needs pcs 0.10.7+): drop promotable.id or set it to replicate-clone',
        );
      }
    });

    it('under --check only reports', async () => {
      const { h, r } = await run(ip, EMPTY, '0.11.5', true);
      expect(r).to.deep.include({ changed: true, msg: 'would create resource Failover_IP' });
      expect(changing(h)).to.deep.equal([]);
    });
  });

  describe('update', () => {
    it('is a no-op when the live resource matches (second run), 0.11 and 0.9 CIBs alike', async () => {
      expect((await run(ip, HOWTO)).r.changed).to.equal(false);
      expect((await run(drbd, HOWTO)).r).to.deep.include({ changed: false, msg: 'resource replicate as wanted', commands: [] });
      // 0.9 stores master-max and a <master>: the same as promoted-max in a promotable clone
      expect((await run(drbd, HOWTO_09, '0.9.169')).r.changed).to.equal(false);
    });

    it('updates only the differing attribute', async () => {
      const { h, r } = await run({ ...ip, attributes: { ip: '198.18.0.100', cidr_netmask: 22 } }, HOWTO);
      expect(r.msg).to.equal('update resource Failover_IP: attributes cidr_netmask=22');
      expect(changing(h)).to.deep.equal([pcs('resource', 'update', 'Failover_IP', 'cidr_netmask=22')]);
    });

    it('rewrites a differing operation with `update ... op`', async () => {
      const { h } = await run({ ...ip, operations: [{ action: 'monitor', options: { interval: '20s', timeout: '15s' } }] }, HOWTO);
      expect(changing(h)).to.deep.equal([pcs('resource', 'update', 'Failover_IP', 'op', 'monitor', 'interval=20s', 'timeout=15s')]);
    });

    it('matches operations by value: timeout 90 is 90s, an op without interval matches its action', async () => {
      const { r } = await run(
        { ...drbd, operations: [{ action: 'monitor', options: { interval: '10' } }, { action: 'promote', options: { timeout: '90s' } }] },
        HOWTO,
      );
      expect(r.changed).to.equal(false);
    });

    it('replaces ops when several of one action are wanted (per-role monitors)', async () => {
      const monitors = [
        { action: 'monitor', options: { interval: '29s', role: 'Promoted' } },
        { action: 'monitor', options: { interval: '31s', role: 'Unpromoted' } },
      ];
      const { h } = await run({ ...drbd, operations: monitors }, HOWTO);
      expect(changing(h)).to.deep.equal([
        pcs('resource', 'op', 'remove', 'replicate-monitor-interval-10s'),
        pcs('resource', 'op', 'add', 'replicate', 'monitor', 'interval=29s', 'role=Promoted'),
        pcs('resource', 'op', 'add', 'replicate', 'monitor', 'interval=31s', 'role=Unpromoted'),
      ]);
    });

    it('sets differing meta attributes of the resource and of its clone', async () => {
      const { h } = await run({ ...drbd, meta: { 'resource-stickiness': 100 }, promotable: { id: 'replicateClone', meta: { 'clone-max': 2, notify: false } } }, HOWTO);
      expect(changing(h)).to.deep.equal([
        pcs('resource', 'meta', 'replicate', 'resource-stickiness=100'),
        pcs('resource', 'meta', 'replicateClone', 'notify=false'),
      ]);
    });

    it('moves a resource into the wanted group', async () => {
      const { h } = await run({ ...ip, group: 'vProtect-group' }, HOWTO);
      expect(changing(h)).to.deep.equal([pcs('resource', 'group', 'add', 'vProtect-group', 'Failover_IP')]);
    });

    it('wraps an existing unwrapped resource: promotable on 0.11, master on 0.9', async () => {
      const eleven = await run({ ...ip, promotable: { meta: { notify: true } } }, HOWTO);
      expect(changing(eleven.h)).to.deep.equal([pcs('resource', 'promotable', 'Failover_IP', 'notify=true')]);
      const nine = await run({ ...ip, attributes: { ip: '10.40.1.100', cidr_netmask: 22 }, promotable: { id: 'ipMaster' } }, HOWTO_09, '0.9.169');
      expect(changing(nine.h)).to.deep.equal([pcs('resource', 'master', 'ipMaster', 'Failover_IP')]);
    });

    it('refuses to change an agent in place, saying what to do', async () => {
      try {
        await run({ ...ip, agent: 'ocf:heartbeat:IPaddr' }, HOWTO);
        expect.fail('should have thrown');
      } catch (e) {
        expect((e as Error).message).to.equal(
          'resource Failover_IP exists with agent ocf:heartbeat:IPaddr2, not ocf:heartbeat:IPaddr; pacemaker cannot change an agent in place: ' +
            'remove it (pcs resource delete Failover_IP) or choose another id',
        );
      }
    });

    it('with recreate, deletes and creates it again in one plan, at its place in its group (the how-to\'s service: agent)', async () => {
      const cib = HOWTO.replace(
        '      </group>',
        '        <primitive id="vProtect-server" class="service" type="vprotect-server"/>\n        <primitive id="vProtect-last" class="systemd" type="x"/>\n      </group>',
      );
      const server: PcsResourceParams = { id: 'vProtect-server', agent: 'systemd:vprotect-server', group: 'vProtect-group', operations: [{ action: 'monitor', options: { timeout: '300s' } }], recreate: true };
      const { h, r } = await run(server, cib);
      expect(r).to.deep.include({
        changed: true,
        created: true,
        msg: 'recreate resource vProtect-server (agent service:vprotect-server -> systemd:vprotect-server: pacemaker cannot change an agent in place; it restarts once)',
      });
      expect(changing(h)).to.deep.equal([
        pcs('resource', 'delete', 'vProtect-server'),
        pcs('resource', 'create', 'vProtect-server', 'systemd:vprotect-server', 'op', 'monitor', 'timeout=300s', '--group', 'vProtect-group', '--before', 'vProtect-last'),
      ]);
    });

    it('refuses a plain clone where a promotable one exists', async () => {
      try {
        await run({ ...drbd, promotable: undefined, clone: { id: 'replicateClone' } }, HOWTO);
        expect.fail('should have thrown');
      } catch (e) {
        expect((e as Error).message).to.equal('resource replicate is in a promotable clone replicateClone, not a plain one');
      }
    });
  });

  it('rejects bad parameters before touching a host', () => {
    expect(() => pcsResource({ ...ip, id: 'bad id' }).preflight?.()).to.throw('invalid resource id "bad id"');
    expect(() => pcsResource({ ...ip, agent: 'IPaddr2' }).preflight?.()).to.throw('is not class[:provider]:type');
    expect(() => pcsResource({ ...ip, group: 'g', clone: {} }).preflight?.()).to.throw('choose one of group, clone');
  });
});
