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

/** One group of the inventory; `vars`: what the lab's tier decides (e.g. drbd_enabled), as the group's own vars. */
export interface InventoryGroup {
  readonly hosts: readonly LabHost[];
  readonly vars?: Record<string, unknown>;
}

export function inventoryYaml(groups: Readonly<Record<string, InventoryGroup>>, what: string): string {
  const children = Object.fromEntries(
    Object.entries(groups).map(([name, g]) => {
      const members = { hosts: Object.fromEntries(g.hosts.map((h) => [h.name, hostVars(h)])) };
      return [name, g.vars ? { ...members, vars: g.vars } : members];
    }),
  );
  return `# ${what}: written by \`npm run lab -- up\`; do not edit (regenerated, gitignored).\n${stringify({ all: { children } })}`;
}

export async function writeInventory(file: string, groups: Readonly<Record<string, InventoryGroup>>, what: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, inventoryYaml(groups, what));
  await fs.rename(tmp, file);
}
