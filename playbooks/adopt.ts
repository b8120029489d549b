// The adoption report for a cluster built by hand from the how-to (or by anything but these roles), changing
// nothing: what each MariaDB is (identity, coordinates), what replication needs, the settings and hand-made
// option lines that would change, what the CIB has that the roles recreate or leave alone, and what site.ts
// would refuse (this play fails with the same message). Then `site.ts --check --diff` shows every change.
//   npx ts-node playbooks/adopt.ts -i inventory/prod
import { play, playbook } from '../engine/dsl';
import { runIfMain } from '../engine/cli';
import { adoptionChecks } from '../roles/adoption';

export const adopt = playbook('adopt', [
  play({ name: 'What adopting this cluster would do (read-only)', hosts: 'cluster', become: true, roles: [adoptionChecks] }),
]);

runIfMain(module, adopt);
