// What the role will do to the pair's replication, decided once from both nodes' surveys before anything is
// changed, and everything it refuses to do, on every node at once (a run-once task: its failure stops both):
//   - both replicas follow each other: each one's state is diagnosed (running, to start, to re-point without
//     losing an event, or refused with its own error and coordinates);
//   - otherwise the peer is seeded from the preferred node, but only when the peer holds no row the preferred
//     node lacks (or the user forced it);
//   - owned settings given on mariadbd's command line, or option files this survey cannot account for, stop it.
import type { HostName, ModuleContext, ModuleResult } from '../../engine/types';
import { ModuleError } from '../../engine/errors';
import { defineModule } from '../../modules/lib/define';
import type { MysqlSurvey } from '../../modules/mysql/survey';
import { diagnoseReplica, type ReplicaDiagnosis } from '../../modules/mysql/replica-repair';
import { seedGuard, type MysqlSeedParams } from '../../modules/mysql/seed';
import { commandLineOwned } from './settings';

export interface PairNode {
  readonly host: string;
  readonly address: string;
  readonly survey: MysqlSurvey | undefined;
}

export interface PairPlanParams {
  readonly nodes: readonly [PairNode, PairNode];
  /** The seed's source when the pair does not replicate yet. */
  readonly preferred: string;
  readonly seed: Omit<MysqlSeedParams, 'source' | 'replica'>;
}

export type PairAction = 'converge' | 'seed' | 'unknown';

export interface PairPlanResult extends ModuleResult {
  /** converge: both follow each other, each replica repaired in place; seed: the peer is loaded from the preferred node. */
  readonly action: PairAction;
  readonly diagnoses: Readonly<Record<string, ReplicaDiagnosis>>;
}

const follows = (a: PairNode, b: PairNode): boolean => a.survey?.replica?.masterHost === b.address;

function optionRefusals(n: PairNode): string[] {
  const s = n.survey;
  if (!s?.running) return [];
  const out: string[] = [];
  const cmd = commandLineOwned(s);
  if (cmd.length) {
    out.push(`${n.host}: mariadbd runs with ${cmd.join(' ')} on its command line (its systemd unit or MYSQLD_OPTS), which no option file can override; remove it there`);
  }
  if (s.options && !s.options.explained) {
    out.push(
      `${n.host}: cannot tell which option file sets what: my_print_defaults --mysqld reads ${s.options.printed.join(' ') || '(nothing)'}, ` +
        `not what ${s.options.files.join(', ') || 'the default files'} ${s.options.files.length === 1 ? 'holds' : 'hold'}; nothing is changed until they agree`,
    );
  }
  return out;
}

export const mariadbPairPlan = defineModule<PairPlanParams, PairPlanResult>({
  name: 'mariadb_pair_plan',
  checkMode: true,
  describe: (p) => `plan replication between ${p.nodes.map((n) => n.host).join(' and ')}`,
  async run(p, ctx) {
    ctx.secret(p.seed.password);
    const ctxOf = (host: string): ModuleContext => ctx.on(host as HostName);
    const refusals = p.nodes.flatMap(optionRefusals);
    const stopped = p.nodes.filter((n) => !n.survey?.running).map((n) => n.host);
    const diagnoses: Record<string, ReplicaDiagnosis> = {};
    let action: PairAction;
    let msg: string;
    const [a, b] = p.nodes;
    if (stopped.length) {
      // Only under --check (the run starts MariaDB before the survey): its data cannot be looked at yet.
      action = 'unknown';
      msg = `MariaDB is not running on ${stopped.join(', ')}: its data and replication are looked at once it runs`;
    } else if (follows(a, b) && follows(b, a)) {
      action = 'converge';
      for (const [me, src] of [
        [a, b],
        [b, a],
      ] as const) {
        const d = await diagnoseReplica(ctxOf(me.host), { host: src.host, address: src.address, port: p.seed.port, user: p.seed.user, password: p.seed.password }, p.seed.login);
        diagnoses[me.host] = d;
        if (d.kind === 'refuse') refusals.push(`${me.host}: ${d.why}`);
      }
      msg = p.nodes.map((n) => `${n.host}: ${diagnoses[n.host]!.kind === 'running' ? '' : `${diagnoses[n.host]!.kind}: `}${diagnoses[n.host]!.why}`).join('; ');
    } else {
      action = 'seed';
      const source = p.nodes.find((n) => n.host === p.preferred)!;
      const replica = p.nodes.find((n) => n.host !== p.preferred)!;
      const state = p.nodes.map((n) => `${n.host} ${n.survey?.replica ? `follows ${n.survey.replica.masterHost}` : 'follows no one'}`).join(', ');
      try {
        const cmp = await seedGuard(ctxOf(source.host), ctxOf(replica.host), { ...p.seed, source, replica });
        msg =
          `the pair does not replicate both ways (${state}): ${replica.host}'s database (${cmp.tables} tables, ${cmp.rows} rows` +
          `${cmp.missingTotal ? `, ${cmp.missingTotal} of them not on ${source.host}: discarded as forced` : `, none missing on ${source.host}`}) ` +
          `is replaced by a dump of ${source.host}'s, then both replicate from its coordinates`;
      } catch (e) {
        if (!(e instanceof ModuleError)) throw e;
        refusals.push(`${state}: ${e.message}`);
        msg = '';
      }
    }
    if (refusals.length) throw new ModuleError(`nothing is changed on ${p.nodes.map((n) => n.host).join(' or ')}: ${refusals.join('; ')}`);
    return { changed: false, msg, action, diagnoses };
  },
});
