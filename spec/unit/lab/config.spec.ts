// Lab names and addresses: the numbering other specs, the demo and the benchmarks rely on.
import { expect } from 'chai';
import { BRIDGE_CIDRS, labHost, labHostByName, labHosts, lightHosts, MAX_HOSTS, MAX_LIGHT_HOSTS, VIP } from '../../../lab/config';

describe('lab: names and addresses', () => {
  it('numbers full hosts vprotectN from 198.18.0.11 and light hosts lightN from .101', () => {
    expect(labHosts()).to.deep.equal([
      { name: 'vprotect1', ip: '198.18.0.11' },
      { name: 'vprotect2', ip: '198.18.0.12' },
    ]);
    expect(labHosts(3)[2]).to.deep.equal({ name: 'vprotect3', ip: '198.18.0.13' });
    const light = lightHosts(50);
    expect(light[0]).to.deep.equal({ name: 'light1', ip: '198.18.0.101' });
    expect(light[49]).to.deep.equal({ name: 'light50', ip: '198.18.0.150' });
    const many = lightHosts(200);
    expect(many[149]).to.deep.equal({ name: 'light150', ip: '198.18.0.250' });
    expect(many[150]).to.deep.equal({ name: 'light151', ip: '198.18.1.101' });
    expect(many[199]).to.deep.equal({ name: 'light200', ip: '198.18.1.150' });
  });

  it('keeps every address inside the two lab subnets (198.18.0.0/24, 198.18.1.0/24), off the bridge and the VIP', () => {
    expect(BRIDGE_CIDRS).to.deep.equal(['198.18.0.1/24', '198.18.1.1/24']);
    const all = [...labHosts(MAX_HOSTS), ...lightHosts(MAX_LIGHT_HOSTS)].map((h) => h.ip);
    expect(new Set(all).size).to.equal(all.length);
    for (const ip of all) {
      const last = Number(ip.split('.')[3]);
      expect(ip.startsWith('198.18.0.') || ip.startsWith('198.18.1.')).to.equal(true);
      expect(last).to.be.within(2, 254);
    }
    expect(all).not.to.include(VIP);
  });

  it('rejects counts and names outside the lab', () => {
    expect(() => labHosts(0)).to.throw(/1\.\.20/);
    expect(() => labHosts(MAX_HOSTS + 1)).to.throw(/1\.\.20/);
    expect(() => lightHosts(MAX_LIGHT_HOSTS + 1)).to.throw(/1\.\.300/);
    expect(labHostByName('vprotect2')).to.deep.equal(labHost(2));
    for (const bad of ['vprotect0', 'vprotect01', 'vprotect21', 'light1', 'vprotect', 'xvprotect1'])
      expect(labHostByName(bad), bad).to.equal(undefined);
  });
});
