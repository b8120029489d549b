// probe_record: what differs between a record and what a node holds (pure), and the write and check modules on
// fake hosts with a scripted mysql client and a fake filesystem.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { probeRecordCheck, probeRecordWrite, recordFailure, recordProblems, type ProbeRecord } from '../../../modules/probe_record';
import { fakeFs } from '../../support/fake-files';
import { moduleContext } from '../../support/module-context';
import { mysqlHost, resultSet } from './mysql/mysql-fakes';

const FILE = '/vprotect_data/.ha-drill-probe';
const TABLE = 'vprotect.ha_drill_probe';
const SUM = 'a'.repeat(64);
const want: ProbeRecord = { runId: '20260611T101530Z-3fa9c2', rowId: 17, file: { path: FILE, sha256: SUM } };
const row = { id: 17, runId: want.runId, filePath: FILE, fileSha256: SUM };
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('probe_record: what a node holds of a record', () => {
  it('nothing differs when the file and the row are there as written', () => {
    expect(recordProblems(want, { row, fileSha256: SUM }, TABLE)).to.deep.equal([]);
    expect(recordProblems({ runId: want.runId, rowId: 17 }, { row: { ...row, filePath: null, fileSha256: null } }, TABLE)).to.deep.equal([]);
  });

  it('names each missing or different part, and the host and record in the failure', () => {
    const problems = recordProblems(want, {}, TABLE, 30);
    expect(problems).to.deep.equal([`file ${FILE} is missing`, `row 17 is missing from ${TABLE} (waited 30 s for replication)`]);
    expect(recordFailure(want, 'vprotect2', problems)).to.equal(
      `probe record ${want.runId} on vprotect2: file ${FILE} is missing; row 17 is missing from ${TABLE} (waited 30 s for replication)`,
    );
    expect(recordProblems(want, { row: { ...row, runId: 'other' }, fileSha256: 'b'.repeat(64) }, TABLE)).to.deep.equal([
      `file ${FILE} has sha256 ${'b'.repeat(64)} instead of ${SUM}`,
      `row 17 of ${TABLE} is run other's, not ${want.runId}'s`,
    ]);
    expect(recordProblems(want, { row: { ...row, fileSha256: null }, fileSha256: SUM }, TABLE)).to.deep.equal([`row 17 of ${TABLE} records file sha256 none instead of ${SUM}`]);
  });
});

describe('probe_record_write and probe_record_check', () => {
  it('writes the file (flushed) and then the row naming it, in the vProtect database; under --check nothing', async () => {
    const m = mysqlHost('vprotect1', [[/^CREATE TABLE IF NOT EXISTS `ha_drill_probe`/, resultSet([{ id: '17' }])]]);
    m.host.on('mountpoint -q -- /vprotect_data', {}).on(/^sync -- /, {});
    const r = await probeRecordWrite({ database: 'vprotect', table: 'ha_drill_probe', dataMount: '/vprotect_data/' }).run(moduleContext(m.host));
    const content = m.host.files.get(FILE)!.content.toString();
    expect(r.record).to.deep.equal({ runId: r.record!.runId, rowId: 17, file: { path: FILE, sha256: sha256(content) } });
    expect(content).to.contain(`run: ${r.record!.runId}\nwritten on: vprotect1\n`);
    expect(m.host.files.get(FILE)!.mode).to.equal(0o600);
    expect(m.host.commands.filter((c) => !c.startsWith('rm '))).to.deep.equal([
      'mountpoint -q -- /vprotect_data',
      `sync -- ${FILE} /vprotect_data`,
      'mysql -X vprotect',
    ]);
    expect(m.sql[0]).to.contain(`INSERT INTO \`ha_drill_probe\` (run_id, file_path, file_sha256, written_on) VALUES ('${r.record!.runId}', '${FILE}', '${sha256(content)}', 'vprotect1');`);
    // The drills' history is kept for 90 days, not forever (one row per drill).
    expect(m.sql[0]).to.contain('DELETE FROM `ha_drill_probe` WHERE written_at < NOW() - INTERVAL 90 DAY;\nSELECT LAST_INSERT_ID() AS id;');

    const dry = mysqlHost('vprotect1', []);
    const checked = await probeRecordWrite({ database: 'vprotect', table: 'ha_drill_probe', dataMount: '/vprotect_data' }).run(moduleContext(dry.host, { check: true }));
    expect(checked).to.deep.equal({ changed: true, msg: `would write a new probe record on vprotect1: ${FILE} and a row in ${TABLE}` });
    expect(dry.host.commands).to.deep.equal([]);
  });

  it('refuses to write the file where the data mount is not mounted (it would land on the local disk)', async () => {
    const m = mysqlHost('vprotect2', []);
    m.host.on('mountpoint -q -- /vprotect_data', { code: 1 });
    let error: unknown;
    await probeRecordWrite({ database: 'vprotect', table: 'ha_drill_probe', dataMount: '/vprotect_data' }).run(moduleContext(m.host)).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('/vprotect_data is not mounted on vprotect2: no replicated data to write the probe file to');
    expect(m.sql).to.deep.equal([]);
  });

  it('checks a record, and finds the newest one (with its file) or none', async () => {
    const content = 'probe\n';
    const record: ProbeRecord = { ...want, file: { path: FILE, sha256: sha256(content) } };
    const rowText = { id: '17', run_id: want.runId, file_path: FILE, file_sha256: sha256(content) };
    const m = mysqlHost('vprotect2', [[/WHERE id = 17$|ORDER BY id DESC LIMIT 1$/, resultSet([rowText])]]);
    fakeFs(m.host);
    m.host.file(FILE, content);
    const args = { database: 'vprotect', table: 'ha_drill_probe' };
    expect((await probeRecordCheck({ ...args, record }).run(moduleContext(m.host))).msg).to.equal(`probe record ${want.runId} intact on vprotect2: file sha256 ok, row 17 ok`);
    const newest = await probeRecordCheck({ ...args, record: 'newest' }).run(moduleContext(m.host));
    expect(newest).to.deep.include({ host: 'vprotect2', record });

    const empty = mysqlHost('vprotect2', [[/ORDER BY id DESC/, { code: 1, stderr: "ERROR 1146 (42S02) at line 2: Table 'vprotect.ha_drill_probe' doesn't exist\n" }]]);
    expect(await probeRecordCheck({ ...args, record: 'newest' }).run(moduleContext(empty.host))).to.deep.equal({
      changed: false,
      host: 'vprotect2',
      msg: `no probe record in ${TABLE} on vprotect2: no drill has written one`,
    });
  });

  it('fails, naming the host and the record, when the file is gone and the row never comes', async () => {
    const m = mysqlHost('vprotect2', []);
    fakeFs(m.host);
    let error: unknown;
    await probeRecordCheck({ database: 'vprotect', table: 'ha_drill_probe', record: want, waitSeconds: 1 }).run(moduleContext(m.host)).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal(`probe record ${want.runId} on vprotect2: file ${FILE} is missing; row 17 is missing from ${TABLE} (waited 1 s for replication)`);
    expect(m.sql.length, 'the row was asked for again while waiting').to.be.greaterThan(1);
  });
});
