// Variables more than one role reads have one declaration (roles/shared/): every role schema that has one of
// them has that very schema, so their rules and defaults cannot drift apart again.
import { expect } from 'chai';
import type { z } from 'zod';
import { commonVars } from '../../../roles/common/vars';
import { drbdVars } from '../../../roles/drbd/vars';
import { mariadbVars } from '../../../roles/mariadb_master_master/vars';
import { pacemakerVars } from '../../../roles/pacemaker/vars';
import { vdoVars } from '../../../roles/vdo/vars';
import { registrationVars } from '../../../roles/vprotect_registration/vars';
import { adoptionVars } from '../../../roles/adoption';
import { statusReportVars } from '../../../roles/status_report/vars';
import { dbVars } from '../../../roles/shared/db-vars';
import { storageVars } from '../../../roles/shared/storage-vars';

const ROLES: Readonly<Record<string, z.ZodObject>> = {
  common: commonVars,
  drbd: drbdVars,
  mariadb_master_master: mariadbVars,
  pacemaker: pacemakerVars,
  vdo: vdoVars,
  vprotect_registration: registrationVars,
  adoption: adoptionVars,
  status_report: statusReportVars,
};
const SHARED: Readonly<Record<string, z.ZodType>> = { ...storageVars, ...dbVars };

describe('roles: shared variables', () => {
  for (const [name, schema] of Object.entries(SHARED)) {
    it(`${name}: every role that declares it uses roles/shared's declaration`, () => {
      const users = Object.entries(ROLES).filter(([, vars]) => name in vars.shape);
      expect(users.length, `roles declaring ${name}`).to.be.greaterThan(0);
      for (const [role, vars] of users) expect(vars.shape[name], `${role}.${name}`).to.equal(schema);
    });
  }

  it('the strictest rule holds in every role: a DRBD resource name drbdadm would take for an option, btrfs', () => {
    for (const vars of [drbdVars, pacemakerVars, vdoVars, commonVars]) {
      expect(vars.shape.drbd_resource.safeParse('-x').success).to.equal(false);
      expect(vars.shape.drbd_resource.safeParse('vp.data-2').success).to.equal(true);
      expect(vars.shape.data_fstype.safeParse('btrfs').success).to.equal(false);
    }
  });
});
