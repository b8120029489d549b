// The drill's report, one line from what its tasks measured and checked: pure.
//   drill: API on 10.40.1.100:8080 unavailable 4.2 s during fail-over, 3.1 s during fail-back; probe records:
//   file sha256 ok on vprotect2 and vprotect1, row 17 ok on vprotect2 and vprotect1

export type MoveLabel = 'fail-over' | 'fail-back';

export interface MoveOutcome {
  readonly label: MoveLabel;
  /** The longest time the API was unavailable during it; undefined: not measured (it did not answer before). */
  readonly unavailableMs?: number;
  /** The node the probe record was found intact on after it; undefined when there was none to check. */
  readonly checkedOn?: string;
}

export interface DrillOutcome {
  /** address:port of the watched API. */
  readonly endpoint: string;
  /** The moves made, in order. */
  readonly moves: readonly MoveOutcome[];
  /** The record checked after the moves: its row id, and whether it has a file. */
  readonly record?: { readonly rowId: number; readonly file: boolean };
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

export function drillReport(o: DrillOutcome): string {
  if (!o.moves.length) return `drill: nothing moved (no node to fail over or back), nothing measured on ${o.endpoint}`;
  const phrases = o.moves.map((m) =>
    m.unavailableMs === undefined ? `not measured during ${m.label} (it did not answer before)` : `${seconds(m.unavailableMs)} s during ${m.label}`,
  );
  const api = (o.moves[0]!.unavailableMs === undefined ? '' : 'unavailable ') + phrases.join(', ');
  const on = o.moves.flatMap((m) => (m.checkedOn === undefined ? [] : [m.checkedOn])).join(' and ');
  const records =
    o.record && on
      ? [...(o.record.file ? [`file sha256 ok on ${on}`] : []), `row ${o.record.rowId} ok on ${on}`].join(', ')
      : 'none to check (this run wrote none and found none before the fail-back)';
  return `drill: API on ${o.endpoint} ${api}; probe records: ${records}`;
}
