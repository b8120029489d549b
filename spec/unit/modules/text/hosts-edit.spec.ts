import { expect } from 'chai';
import { editHosts } from '../../../../modules/lib/text/hosts-edit';

// An all-in-one vProtect install's /etc/hosts (the how-to's case), with Debian's 127.0.1.1 line too.
const AIO = `127.0.0.1   localhost localhost.localdomain vprotect1 localhost4
::1         localhost localhost.localdomain localhost6 localhost6.localdomain6
127.0.1.1\tvprotect1
# backups
10.40.1.60  backup-store   # NFS
`;

describe('hosts edit (pure)', () => {
  it("removes only the hostname token from loopback lines and drops a line left without names", () => {
    expect(editHosts(AIO, { removeFromLoopback: ['vprotect1'], entries: [] })).to.equal(`127.0.0.1   localhost localhost.localdomain localhost4
::1         localhost localhost.localdomain localhost6 localhost6.localdomain6
# backups
10.40.1.60  backup-store   # NFS
`);
  });

  it('matches names case-insensitively and whole tokens only', () => {
    expect(editHosts('127.0.0.1 localhost VPROTECT1 vprotect10\n', { removeFromLoopback: ['vprotect1'], entries: [] })).to.equal('127.0.0.1 localhost vprotect10\n');
  });

  it('adds missing entries and takes their names off loopback lines', () => {
    const out = editHosts(AIO, { removeFromLoopback: [], entries: [{ ip: '10.40.1.50', names: ['vprotect1'] }, { ip: '10.40.1.51', names: ['vprotect2', 'vp2'] }] });
    expect(out).to.equal(`127.0.0.1   localhost localhost.localdomain localhost4
::1         localhost localhost.localdomain localhost6 localhost6.localdomain6
# backups
10.40.1.60  backup-store   # NFS
10.40.1.50 vprotect1
10.40.1.51 vprotect2 vp2
`);
    expect(editHosts(out, { removeFromLoopback: [], entries: [{ ip: '10.40.1.50', names: ['vprotect1'] }, { ip: '10.40.1.51', names: ['vprotect2', 'vp2'] }] }), 'stable').to.equal(out);
  });

  it("fixes an entry's line in place (names first, other names kept, comment kept) and moves a name off a stale address", () => {
    const text = '10.40.1.50\tvprotect1.lan  old-alias # node 1\n10.40.10.50 vprotect2\n';
    const out = editHosts(text, { removeFromLoopback: [], entries: [{ ip: '10.40.1.50', names: ['vprotect1'] }, { ip: '10.40.1.51', names: ['vprotect2'] }] });
    expect(out).to.equal('10.40.1.50\tvprotect1 vprotect1.lan old-alias # node 1\n10.40.1.51 vprotect2\n');
  });

  it('leaves IPv6 lines alone for an IPv4 entry (other family) and keeps a file without final newline valid', () => {
    expect(editHosts('fd00::5 vprotect1\n10.0.0.9 x', { removeFromLoopback: [], entries: [{ ip: '10.0.0.5', names: ['vprotect1'] }] })).to.equal('fd00::5 vprotect1\n10.0.0.9 x\n10.0.0.5 vprotect1\n');
  });
});
