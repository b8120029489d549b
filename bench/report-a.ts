// Workload (a) in the report: every tool's runs, the floors of the same rounds, each peer's ratio to the
// engine as users run it (`npx ts-node`, sources unchanged) against the targets, and the closing lines
// `no-op rerun speed-up vs PEER: N.Nx`, one per peer (a missing one says why).
import { ENGINE_SERIES } from './commands';
import { FLOOR, loadShare } from './floors';
import type { PeerLookup, PeerName } from './peers';
import { ENGINE, firstOf, rerunOf, rerunSpeedup, type SideBySide } from './side-by-side';
import { seconds } from './stats';
import { med, ms, redoneLines, seriesRows, verdict, x } from './report';

/** Speed-up targets of the no-op rerun on 2 hosts (median of per-round ratios), by peer. */
export const SPEEDUP_TARGETS: Readonly<Partial<Record<PeerName, { readonly times: number; readonly source: string }>>> = {
  ansible: { times: 20, source: 'issue 6' },
  mitogen: { times: 10, source: 'issue 15' },
  pyinfra: { times: 3, source: 'issue 15' },
};

/** The engine's time above `npx ts-node -e 0` may be at most one fresh SSH connection plus this many round trips. */
export const ROUND_TRIP_BUDGET = 5;

function peerLines(peers: readonly PeerLookup[]): string[] {
  return peers.map((l) => (l.found ? `- **${l.peer.name}**: ${l.peer.version}; ${l.peer.how}` : `- **${l.name}**: MISSING: ${l.why}`));
}

function speedupTable(r: SideBySide, peers: readonly PeerLookup[]): string[] {
  const rows = [
    '| peer | no-op rerun: peer / engine (median of per-round ratios) | rounds | first run: peer / engine (medians) | target |',
    '|---|---|---|---|---|',
  ];
  for (const l of peers) {
    const target = SPEEDUP_TARGETS[l.name];
    if (!l.found) {
      rows.push(`| ${l.name} | missing | - | - | ${target ? `>= ${target.times}x (${target.source}): not measured` : '-'} |`);
      continue;
    }
    const s = rerunSpeedup(r, l.name);
    const rounds = r.rerunRatios.get(l.name) ?? [];
    const first = med(r, firstOf(l.name)) / med(r, firstOf(ENGINE));
    const t = target ? `>= ${target.times}x (${target.source}): **${verdict(s >= target.times)}**` : '-';
    rows.push(`| ${l.name} | **${x(s)}** | ${rounds.map((v) => v.toFixed(1)).join(', ')} | ${x(first)} | ${t} |`);
  }
  return rows;
}

/** The engine's rerun above `npx ts-node -e 0`, against one fresh SSH connection + ROUND_TRIP_BUDGET round trips. */
export function budgetLine(r: SideBySide): string {
  const above = med(r, rerunOf(ENGINE)) - med(r, FLOOR.tsNode);
  const connect = med(r, FLOOR.connect);
  const rt = med(r, FLOOR.roundTrip);
  const budget = connect + ROUND_TRIP_BUDGET * rt;
  return (
    `- the engine's no-op rerun above \`npx ts-node -e 0\`: ${ms(above)} (medians of this run); budget one fresh SSH connection ` +
    `+ ${ROUND_TRIP_BUDGET} round trips = ${ms(connect)} + ${ROUND_TRIP_BUDGET} x ${ms(rt)} = ${ms(budget)}: ` +
    `**${Number.isFinite(above) && Number.isFinite(budget) ? verdict(above <= budget) : 'n/a'}**` +
    (Number.isFinite(above - budget) && above > budget ? ` (over by ${ms(above - budget)}, ${((above - budget) / rt).toFixed(0)} round trips' worth)` : '')
  );
}

export function workloadASection(r: SideBySide, peers: readonly PeerLookup[]): string[] {
  const found = peers.flatMap((l) => (l.found ? [l.peer.name] : []));
  const engineRows = [firstOf(ENGINE), rerunOf(ENGINE), ENGINE_SERIES.unchecked, ENGINE_SERIES.cold, ENGINE_SERIES.precompiled];
  const unchecked = med(r, ENGINE_SERIES.unchecked);
  const js = med(r, ENGINE_SERIES.precompiled);
  const mitogenOrAnsible = found.includes('mitogen') ? 'mitogen' : 'ansible';
  return [
    `## (a) 20 tasks (5 each of command, lineinfile, copy, template) on ${r.hosts} lab hosts, forks ${r.forks}`,
    '',
    'Tools, in turn on the same hosts in every round (the order rotates by one each round):',
    '- **engine**: this checkout, as users run it (`npx ts-node`, type-checked, sources unchanged since the last check)',
    ...peerLines(peers),
    '',
    ...seriesRows(r, [...engineRows, ...found.flatMap((p) => [firstOf(p), rerunOf(p)])]),
    '',
    'Floors, measured in the same rounds:',
    '',
    ...seriesRows(r, [FLOOR.tsNode, FLOOR.node, FLOOR.connect, FLOOR.roundTrip], ms),
    '',
    `- other work on the machine while the benchmark waited (median of the rounds): ${loadShare(med(r, FLOOR.background))}`,
    budgetLine(r),
    '',
    '### Speed-ups (engine as users run it)',
    '',
    ...speedupTable(r, peers),
    '',
    ...(Number.isFinite(unchecked) ? [`- engine rerun with \`--no-type-check\`: ${seconds(unchecked)}; right after a source change (whole program checked): ${seconds(med(r, ENGINE_SERIES.cold))}`] : []),
    ...(Number.isFinite(js)
      ? [`- engine compiled to JavaScript once and run by plain node (no npx, no ts-node): ${seconds(js)}, ${x(med(r, rerunOf(mitogenOrAnsible)) / js)} faster than ${mitogenOrAnsible}: the floor of this design`]
      : []),
    '- every counted run was checked in the tool\'s own summary: PLAY RECAP for the engine and ansible-playbook (first runs changed=20 per host, reruns changed=0, ' +
      'none failed or unreachable); for pyinfra each host\'s 20 operation status lines (first run 20 `Success`, rerun 20 `No changes`) and a Results table without errors',
    ...redoneLines(r),
    '',
    'Commands (INV: the benchmark\'s copy of the lab inventory, the same file for every tool; PEERS: the peers\' directory; DIST: the project compiled by tsc):',
    ...r.commands.map((c) => `- \`${c}\``),
  ];
}

/** The report's last lines: `no-op rerun speed-up vs PEER: N.Nx` for every peer asked for, found or not. */
export function speedupLines(r: SideBySide | undefined, peers: readonly PeerLookup[], why?: string): string[] {
  return peers.map((l) => {
    const head = `no-op rerun speed-up vs ${l.name}:`;
    if (!l.found) return `${head} missing (${l.why})`;
    const s = r ? rerunSpeedup(r, l.name) : NaN;
    return Number.isFinite(s) ? `${head} ${s.toFixed(1)}x` : `${head} not measured (${why ?? 'no complete round'})`;
  });
}

