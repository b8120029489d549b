import { z } from 'zod';
import { clusterVars, secret } from '../shared/cluster';

export const registrationVars = z.object({
  ...clusterVars,
  /** The node's name in vProtect; the host's `uname -n` when unset. */
  vprotect_node_name: z.string().optional(),
  /** The node talks to the server on this host: the floating IP moves, localhost does not. */
  vprotect_api_url: z.url().default('http://127.0.0.1:8080/api'),
  vprotect_admin_user: z.string().default('admin'),
  vprotect_admin_password: secret('vprotect_admin_password'),
  vprotect_home: z.string().default('/opt/vprotect'),
  /** Files that carry the license and the node identity, copied from the preferred node to its peer. */
  vprotect_shared_files: z.array(z.string()).default(['license.key', '.session.properties']),
});
export type RegistrationVars = z.output<typeof registrationVars>;
