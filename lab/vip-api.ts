// Which node's vProtect API answers on the cluster's floating IP: the stand-in's GET /api names its host.
import { STANDIN_PORT, VIP } from './config';

/** The hostname of the node whose API answers on the floating IP, or '' while none does (refused, timed out). */
export async function apiOnVip(timeoutMs = 2000): Promise<string> {
  try {
    const res = await fetch(`http://${VIP}:${STANDIN_PORT}/api`, { signal: AbortSignal.timeout(timeoutMs) });
    return ((await res.json()) as { hostname?: string }).hostname ?? '';
  } catch {
    return '';
  }
}
