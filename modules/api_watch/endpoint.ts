// An endpoint URL as the drill names it: address:port, the port spelled out even where it is the scheme's default.
import { ConfigError } from '../../engine/errors';

/** The URL, checked: http or https only. */
export function watchedUrl(url: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`${what}: ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${what}: ${url} is not http:// or https://`);
  return u;
}

export function endpointOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}
