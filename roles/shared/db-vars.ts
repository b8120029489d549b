// The MariaDB variables more than one role reads (the firewall's port, the cluster's service): declared once
// here and spread into each of those roles' schemas.
import { z } from 'zod';
import { port } from '../../engine/validate';

export const dbVars = {
  mariadb_port: port.default(3306),
  mariadb_service: z.string().default('mariadb'),
};
