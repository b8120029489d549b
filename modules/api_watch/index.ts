// modules/api_watch/ owns watching an HTTP endpoint from the controller while other tasks run: start.ts and
// end.ts (the two modules, start and end of one watch), watcher.ts (the requests and the samples, the running
// watches by id), http-probe.ts (one request), outage.ts (how long it was unavailable: a pure function of the
// samples), endpoint.ts (the URL checked and named).
export { apiWatchStart, type ApiWatchStartParams, type ApiWatchStartResult } from './start';
export { apiWatchEnd, type ApiWatchEndParams, type ApiOutageResult } from './end';
export { outageOf, type Outage, type Sample } from './outage';
export { endpointOf, watchedUrl } from './endpoint';
