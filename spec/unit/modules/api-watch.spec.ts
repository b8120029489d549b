// api_watch: the outage measured from samples (pure), and the two modules against a local HTTP server.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { apiWatchEnd, apiWatchStart, outageOf } from '../../../modules/api_watch';
import { fakeHost, moduleContext } from '../../support/module-context';

const ok = (at: number) => ({ at, ok: true });
const down = (at: number) => ({ at, ok: false });

describe('api_watch: how long the endpoint was unavailable', () => {
  it('is 0 with no window when every request was answered, and for no samples at all', () => {
    expect(outageOf([ok(0), ok(200), ok(400)])).to.deep.equal({ longestMs: 0, windows: 0, open: false });
    expect(outageOf([])).to.deep.equal({ longestMs: 0, windows: 0, open: false });
  });

  it('runs from the first unanswered request to the first answered one after it', () => {
    expect(outageOf([ok(0), down(200), down(400), down(600), ok(800), ok(1000)])).to.deep.equal({ longestMs: 600, since: 200, windows: 1, open: false });
  });

  it('gives the longest of several windows and counts them; samples may come in any order', () => {
    const samples = [ok(0), down(200), ok(400), down(600), down(800), down(1000), ok(1200), down(1400), ok(1600)].reverse();
    expect(outageOf(samples)).to.deep.equal({ longestMs: 600, since: 600, windows: 3, open: false });
  });

  it('counts a start without answers, and an end without one (open: it runs to the last request)', () => {
    expect(outageOf([down(0), down(200), ok(400)])).to.deep.equal({ longestMs: 400, since: 0, windows: 1, open: false });
    expect(outageOf([ok(0), down(200), down(1200)])).to.deep.equal({ longestMs: 1000, since: 200, windows: 1, open: true });
  });
});

describe('api_watch_start / api_watch_end on a local server', function () {
  this.timeout(15_000);
  let server: http.Server;
  let up = true;
  let url: string;
  const ctx = () => moduleContext(fakeHost('vprotect1'));
  const hostOf = (u: string): string => new URL(u).host;

  before(async () => {
    server = http.createServer((_q, res) => res.writeHead(up ? 200 : 503).end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('measures a 503 window while other work runs, and ends once the endpoint answers again', async () => {
    const started = await apiWatchStart({ url, during: 'the test', intervalMs: 50 }).run(ctx());
    expect(started.msg).to.equal(`watching ${url} every 50 ms from the controller during the test`);
    up = false;
    setTimeout(() => (up = true), 600);
    const r = await apiWatchEnd({ watchId: started.watchId!, endpoint: started.endpoint, during: 'the test', waitSeconds: 10 }).run(ctx());
    expect(r.longestMs).to.be.within(400, 3000);
    expect(r.windows).to.equal(1);
    expect(r.msg).to.match(new RegExp(`^${started.endpoint.replace(/\./g, '\\.')} unavailable \\d+\\.\\d s during the test \\(1 window, \\d+ requests\\)$`));
    let error: unknown;
    await apiWatchEnd({ watchId: started.watchId!, endpoint: started.endpoint, during: 'the test' }).run(ctx()).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.match(/^no watch of 127\.0\.0\.1:\d+ is running/);
  });

  it('refuses to start on an endpoint that does not answer, with the reason and the hint, or skips the watch when told; under --check it watches nothing', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let error: unknown;
    await apiWatchStart({ url: `http://127.0.0.1:${port}/api`, during: 'the fail-over', answerSeconds: 1, hint: 'Nothing was moved.' })
      .run(ctx())
      .catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal(
      `http://127.0.0.1:${port}/api does not answer from the controller (ECONNREFUSED) within 1 s: nothing to measure the fail-over against. Nothing was moved.`,
    );
    const skipped = await apiWatchStart({ url: `http://127.0.0.1:${port}/api`, during: 'the fail-back', answerSeconds: 0, requestTimeoutMs: 500, unanswered: 'skip' }).run(ctx());
    expect(skipped).to.deep.equal({
      changed: false,
      endpoint: `127.0.0.1:${port}`,
      msg: `not watching: http://127.0.0.1:${port}/api does not answer from the controller (ECONNREFUSED) within 0 s: nothing to measure the fail-back against`,
    });
    const checked = await apiWatchStart({ url, during: 'the fail-over' }).run(moduleContext(fakeHost('vprotect1'), { check: true }));
    expect(checked).to.deep.equal({ changed: false, endpoint: hostOf(url), msg: `would watch ${url} every 200 ms from the controller during the fail-over` });
  });
});
