// The MariaDB variables more than one role reads (the firewall's port, the cluster's service): declared once
// here and spread into each of those roles' schemas; and how the roles and the fail-over drill log in.
import { z } from 'zod';
import { port } from '../../engine/validate';
import type { MysqlLogin } from '../../modules/mysql';

export const dbVars = {
  mariadb_port: port.default(3306),
  mariadb_service: z.string().default('mariadb'),
};

/** root with mariadb_root_password when one is set, else the client's defaults (root over the unix socket). */
export const rootLogin = (password: string | undefined): MysqlLogin | undefined => (password ? { user: 'root', password } : undefined);
