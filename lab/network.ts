// The lab bridge: labbr0 198.18.0.1/24 (and 198.18.1.1/24 for the light hosts past 150), IPv6 off, no
// uplink, no forwarding. Only links the lab creates are touched.
import { promises as fs } from 'node:fs';
import { BRIDGE, BRIDGE_CIDRS, PREFIX_LEN, SUBNET_PREFIXES } from './config';
import { must, run, waitFor } from './proc';

export async function linkExists(name: string): Promise<boolean> {
  return (await run(['ip', 'link', 'show', 'dev', name])).code === 0;
}

/** Wait until a link is gone (a killed host's veth lingers for a moment and blocks the next boot). */
export async function waitLinkGone(name: string, timeoutMs = 15_000): Promise<boolean> {
  return waitFor(async () => !(await linkExists(name)), timeoutMs, 100);
}

/** Refuse to start when another interface already uses the lab range: the lab must not shadow it. */
async function checkRangeFree(): Promise<void> {
  const r = await must(['ip', '-4', '-o', 'addr', 'show']);
  for (const line of r.stdout.split('\n')) {
    const [, dev, , cidr] = line.split(/\s+/);
    const taken = SUBNET_PREFIXES.find((prefix) => cidr?.startsWith(`${prefix}.`));
    if (dev && dev !== BRIDGE && taken) throw new Error(`${cidr} is already on ${dev}: the lab range ${taken}.0/${PREFIX_LEN} is taken`);
  }
}

export async function ensureBridge(): Promise<void> {
  if (!(await linkExists(BRIDGE))) {
    await checkRangeFree();
    await must(['ip', 'link', 'add', BRIDGE, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  }
  await fs.writeFile(`/proc/sys/net/ipv6/conf/${BRIDGE}/disable_ipv6`, '1').catch(() => undefined);
  const addrs = await must(['ip', '-4', '-o', 'addr', 'show', 'dev', BRIDGE]);
  for (const cidr of BRIDGE_CIDRS) if (!addrs.stdout.includes(` ${cidr} `)) await must(['ip', 'addr', 'add', cidr, 'dev', BRIDGE]);
  await must(['ip', 'link', 'set', BRIDGE, 'up']);
}

export async function removeBridge(): Promise<void> {
  if (await linkExists(BRIDGE)) await must(['ip', 'link', 'del', BRIDGE]);
}
