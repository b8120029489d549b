// Ansible YAML inventories for the hosts that are up: inventory/lab/hosts.yml (group cluster) and
// inventory/lab-light/hosts.yml (group light). Generated, gitignored; group_vars/ are the team's.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { KNOWN_HOSTS, LAB_KEY, type LabHost } from './config';

export function hostVars(host: LabHost): Record<string, string> {
  return {
    ansible_host: host.ip,
    ansible_user: 'root',
    ansible_ssh_private_key_file: LAB_KEY,
    ansible_ssh_known_hosts_file: KNOWN_HOSTS,
  };
}

/** `groupVars`: what the lab's tier decides (e.g. drbd_enabled), as the group's own vars. */
export function inventoryYaml(group: string, hosts: readonly LabHost[], what: string, groupVars?: Record<string, unknown>): string {
  const members = { hosts: Object.fromEntries(hosts.map((h) => [h.name, hostVars(h)])) };
  const doc = { all: { children: { [group]: groupVars ? { ...members, vars: groupVars } : members } } };
  return `# ${what}: written by \`npm run lab -- up\`; do not edit (regenerated, gitignored).\n${stringify(doc)}`;
}

export async function writeInventory(
  file: string,
  group: string,
  hosts: readonly LabHost[],
  what: string,
  groupVars?: Record<string, unknown>,
): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, inventoryYaml(group, hosts, what, groupVars));
  await fs.rename(tmp, file);
}
