// The MariaDB/MySQL module family, all through the mysql client tools on the host.
export { mysqlQuery, type MysqlQueryParams, type MysqlQueryResult } from './query';
export { mysqlDb, type MysqlDbParams, type MysqlDbResult } from './db';
export { mysqlUser, type MysqlUserParams, type MysqlUserResult } from './user';
export {
  mysqlReplication,
  type MysqlReplicationParams,
  type MysqlReplicationResult,
  type BinlogPosition,
  type ReplicaStatus,
} from './replication';
export { mysqlDump, type MysqlDumpParams, type MysqlDumpResult } from './dump';
export { mysqlLoad, type MysqlLoadParams, type MysqlLoadResult } from './load';
export type { MysqlLogin } from './login';
export type { MysqlRow } from './client';
