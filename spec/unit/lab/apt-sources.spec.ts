// The controller's mirror as the lab reads it from apt's sources (both file formats).
import { expect } from 'chai';
import { parseDeb822, parseOneLine, pickMirror } from '../../../lab/apt-sources';

describe('lab: apt sources of the controller', () => {
  it('reads deb822 stanzas: several URIs and suites, Enabled: no and deb-src skipped', () => {
    const text = [
      'Types: deb',
      '# a comment',
      'URIs: http://mirror.example/debian http://other.example/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main contrib',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      '',
      'Types: deb-src',
      'URIs: http://src.example/debian',
      'Suites: bookworm',
      'Components: main',
      '',
      'Types: deb',
      'URIs: http://off.example/debian',
      'Suites: bookworm',
      'Components: main',
      'Enabled: no',
    ].join('\n');
    expect(parseDeb822(text)).to.deep.equal([
      { uri: 'http://mirror.example/debian', suites: ['bookworm', 'bookworm-updates'], components: ['main', 'contrib'] },
      { uri: 'http://other.example/debian', suites: ['bookworm', 'bookworm-updates'], components: ['main', 'contrib'] },
    ]);
  });

  it('reads one-line sources with options, skipping comments and deb-src', () => {
    const text = [
      '# deb http://commented.example/debian bookworm main',
      'deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main non-free-firmware',
      'deb-src http://mirror.example/debian bookworm main',
      'deb http://security.example/debian-security bookworm-security main # trailing',
    ].join('\n');
    expect(parseOneLine(text)).to.deep.equal([
      { uri: 'http://mirror.example/debian', suites: ['bookworm'], components: ['main', 'non-free-firmware'] },
      { uri: 'http://security.example/debian-security', suites: ['bookworm-security'], components: ['main'] },
    ]);
  });

  it('picks the mirror serving the release itself, keeping updates and security lines (main only)', () => {
    const mirror = pickMirror(
      [
        { uri: 'http://third.example/repo', suites: ['stable'], components: ['main'] },
        { uri: 'http://security.example/debian-security', suites: ['bookworm-security'], components: ['main'] },
        { uri: 'http://mirror.example/debian', suites: ['bookworm', 'bookworm-updates'], components: ['main', 'contrib'] },
        { uri: 'http://second.example/debian', suites: ['bookworm'], components: ['main'] },
        { uri: 'http://trixie.example/debian', suites: ['trixie'], components: ['main'] },
      ],
      'bookworm',
    );
    expect(mirror.uri).to.equal('http://mirror.example/debian');
    expect(mirror.lines).to.deep.equal([
      'deb http://security.example/debian-security bookworm-security main',
      'deb http://mirror.example/debian bookworm main',
      'deb http://mirror.example/debian bookworm-updates main',
      'deb http://second.example/debian bookworm main',
    ]);
  });

  it('refuses to guess a mirror when none serves the release with main', () => {
    expect(() => pickMirror([{ uri: 'http://x.example/debian', suites: ['bookworm'], components: ['contrib'] }], 'bookworm')).to.throw(
      /no apt source for "bookworm main"/,
    );
  });
});
