import { expect } from 'chai';
import { hostAddress, hostname, ipv4, ipv4Cidr, ipv6, port, validationProblem } from '../../../engine/validate';

describe('validate: address and port schemas for roles and the inventory', () => {
  it('ipv4', () => {
    expect(ipv4.parse('10.40.1.50')).to.equal('10.40.1.50');
    expect(validationProblem(ipv4, '10.40.1.300')).to.equal("'10.40.1.300' is not an IPv4 address");
    expect(validationProblem(ipv4, '10.40.10')).to.equal("'10.40.10' is not an IPv4 address");
  });

  it('ipv4Cidr', () => {
    expect(ipv4Cidr.parse('10.40.1.0/22')).to.equal('10.40.1.0/22');
    expect(ipv4Cidr.parse('0.0.0.0/0')).to.equal('0.0.0.0/0');
    for (const bad of ['10.40.1.0/33', '10.40.1.0', '10.40.1.256/24', '10.40.1.0/2a', '10.40.1.0/24/1']) {
      expect(validationProblem(ipv4Cidr, bad)).to.equal(`'${bad}' is not an IPv4 CIDR (a.b.c.d/nn)`);
    }
  });

  it('ipv6', () => {
    expect(ipv6.parse('fe80::1')).to.equal('fe80::1');
    expect(validationProblem(ipv6, 'fe80::1::2')).to.equal("'fe80::1::2' is not an IPv6 address");
  });

  it('port: 1..65535 from a number or a string of digits', () => {
    expect(port.parse(22)).to.equal(22);
    expect(port.parse('3306')).to.equal(3306);
    for (const bad of [0, 65536, 22.5, -1, 'ssh', '']) {
      expect(validationProblem(port, bad)).to.equal(`'${String(bad)}' is not a port (1..65535)`);
    }
  });

  it('hostname', () => {
    for (const good of ['vprotect1', 'db-1.example.com', 'a', 'node.local.']) expect(hostname.parse(good)).to.equal(good);
    for (const bad of ['-bad', 'bad-', 'a..b', 'under_score', '10.40.1.300', 'x'.repeat(64), '']) {
      expect(validationProblem(hostname, bad)).to.equal(`'${bad}' is not a hostname`);
    }
  });

  it('hostAddress names the kind of address meant', () => {
    expect(hostAddress.parse('192.0.2.1')).to.equal('192.0.2.1');
    expect(hostAddress.parse('::1')).to.equal('::1');
    expect(hostAddress.parse('vprotect1')).to.equal('vprotect1');
    expect(validationProblem(hostAddress, '10.40.1.300')).to.equal("'10.40.1.300' is not an IPv4 address");
    expect(validationProblem(hostAddress, '1::2::3')).to.equal("'1::2::3' is not an IPv6 address");
    expect(validationProblem(hostAddress, 'bad host')).to.equal("'bad host' is not a hostname");
  });
});
