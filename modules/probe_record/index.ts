// modules/probe_record/ owns the fail-over drill's probe records: write.ts (a new record through the active
// node), check.ts (is it intact on a node), record.ts (the record and what differs, pure), sql.ts (its table).
export { probeRecordWrite, newRunId, type ProbeRecordWriteParams, type ProbeRecordWriteResult } from './write';
export { probeRecordCheck, type ProbeRecordCheckParams, type ProbeRecordCheckResult } from './check';
export { PROBE_FILE, recordFailure, recordProblems, type ProbeRecord } from './record';
