// "Does sshd answer?": a TCP connection to port 22 that receives the SSH banner.
import { connect } from 'node:net';
import { waitFor } from './proc';

export function sshBanner(ip: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: ip, port: 22, timeout: timeoutMs });
    let got = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.on('data', (b: Buffer) => {
      got += b.toString('latin1');
      if (got.includes('\n') || got.length >= 8) done(got.startsWith('SSH-'));
    });
    sock.on('timeout', () => done(false));
    sock.on('error', () => done(false));
    sock.on('end', () => done(false));
  });
}

export function waitForSsh(ip: string, timeoutMs: number): Promise<boolean> {
  return waitFor(() => sshBanner(ip, 1000), timeoutMs, 200);
}
