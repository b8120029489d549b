// vprotect_registration: the how-to's last steps. The vProtect node talks to the server through 127.0.0.1
// (the floating IP moves, localhost does not), and the license and node identity files follow to the peer.
import type { HostView } from '../../engine/dsl';
import { dslFor, role } from '../../engine/dsl';
import { command, type CommandResult } from '../../modules/command';
import { copyFromHost } from '../../modules/copy_from_host';
import { isPreferred, peerOf, preferredNode } from '../shared/cluster';
import { preferredNodeCheck } from '../shared/checks';
import { registrationVars, type RegistrationVars } from './vars';

const { task } = dslFor<RegistrationVars>();
type H = HostView<RegistrationVars>;

const nodeName = (h: H): string => h.vars.vprotect_node_name ?? preferredNode(h);

/** `vprotect node -l` prints a header, then NAME and URL per line. */
export function registeredUrl(listing: string, name: string): string | undefined {
  for (const line of listing.split('\n').slice(1)) {
    const [n, url] = line.trim().split(/\s+/);
    if (n === name) return url;
  }
  return undefined;
}

const listed = (h: H): string | undefined => registeredUrl(h.registered<CommandResult>('vprotect_nodes')?.stdout ?? '', nodeName(h));

export const vprotectRegistration = role({
  name: 'vprotect_registration',
  tags: ['vprotect'],
  vars: registrationVars,
  tasks: [
    preferredNodeCheck<RegistrationVars>('vprotect_registration'),
    task({
      name: 'Wait for the vProtect server API on the active node',
      when: (h) => isPreferred(h),
      action: (h) => command({ argv: ['curl', '-fsS', '-o', '/dev/null', h.vars.vprotect_api_url] }),
      changedWhen: () => false,
      retries: 30,
      delay: 2,
    }),
    task({
      name: 'List the registered nodes',
      when: (h) => isPreferred(h),
      action: command({ argv: ['vprotect', 'node', '-l'] }),
      changedWhen: () => false,
      register: 'vprotect_nodes',
    }),
    task({
      name: 'Delete a registration that points elsewhere than the local API',
      when: (h) => isPreferred(h) && listed(h) !== undefined && listed(h) !== h.vars.vprotect_api_url,
      action: (h) => command({ argv: ['vprotect', 'node', '-d', nodeName(h)] }),
    }),
    task({
      name: 'Register the node at the local API',
      when: (h) => isPreferred(h) && listed(h) !== h.vars.vprotect_api_url,
      // The CLI asks for the admin password: it goes on stdin, never on the command line.
      action: (h) =>
        command({
          argv: ['vprotect', 'node', '-e', nodeName(h), h.vars.vprotect_admin_user, h.vars.vprotect_api_url],
          stdin: `${h.vars.vprotect_admin_password}\n`,
        }),
    }),
    task({
      name: 'Copy the license and node identity to the peer',
      when: (h) => !isPreferred(h) && peerOf(h) === preferredNode(h),
      loop: (h) => h.vars.vprotect_shared_files,
      action: (h, f: string) => copyFromHost({ from: preferredNode(h), src: `${h.vars.vprotect_home}/${f}` }),
    }),
  ],
});
