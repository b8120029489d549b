// The MariaDB power-cut writer: what it runs on the host (the table in the replicated database, one client
// taking every INSERT and its ack in order) and which acknowledged rows a node's table lacks.
import { expect } from 'chai';
import { missingRows, rowWriterScript } from '../../../lab/row-writer';

describe('lab: row writer', () => {
  it('names the acknowledged ids a node lacks from `mysql -N` output; rows beyond the last ack do not count', () => {
    expect(missingRows(3, '1\n2\n3\n4\n')).to.deep.equal([]);
    expect(missingRows(5, '3\n1\n4\n')).to.deep.equal([2, 5]);
    expect(missingRows(2, '1\n2x\nid\n')).to.deep.equal([2]);
    expect(missingRows(0, '')).to.deep.equal([]);
  });

  it('creates the table in the replicated database (the default one, so replicate_do_db takes the DDL too) and acks each INSERT after it', () => {
    expect(rowWriterScript()).to.equal(
      "i=$(mysql -N vprotect -e 'CREATE TABLE IF NOT EXISTS ha_power_cut_rows (id INT PRIMARY KEY); SELECT COALESCE(MAX(id), 0) FROM ha_power_cut_rows') || exit 1; " +
        'while :; do i=$((i+1)); echo "INSERT INTO ha_power_cut_rows VALUES ($i); SELECT \'ack $i\';"; done | mysql -N --unbuffered vprotect',
    );
    expect(rowWriterScript('other_db.t1')).to.match(/CREATE TABLE IF NOT EXISTS t1 .* \| mysql -N --unbuffered other_db$/);
  });

  it('refuses a table that is not database.table in plain names (it is written into SQL and the shell unquoted)', () => {
    for (const bad of ['ha_power_cut_rows', 'vprotect.t; DROP', 'a.b.c', "vprotect.t'"]) expect(() => rowWriterScript(bad), bad).to.throw(/is not database\.table/);
  });
});
