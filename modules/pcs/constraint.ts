// pcs_constraint: location (prefers/avoids, rule), colocation and order constraints with stable ids.
// A constraint is found by what it constrains (resource+node, resource+with, first+then, or its id),
// so reruns are no-ops even for constraints created by hand with pcs's generated ids; one that
// constrains the same things differently is replaced.
import { ConfigError } from '../../engine/errors';
import { defineModule } from '../lib/define';
import {
  normalRole,
  readCib,
  scoreValue,
  type CibConstraint,
  type CibRule,
  type CibTarget,
} from './cib';
import { pcsDialect, promotedRole, unpromotedRole, type PcsDialect } from './dialect';
import { applyPlan, pcsCommand, type PcsResult } from './run';

export type Score = number | 'INFINITY' | '-INFINITY' | '+INFINITY';
export type Role = 'Started' | 'Promoted' | 'Unpromoted';
export type OrderAction = 'start' | 'stop' | 'promote' | 'demote';

export interface LocationConstraint {
  readonly kind: 'location';
  readonly resource: string;
  readonly node: string;
  /** Positive prefers, negative avoids; default INFINITY. */
  readonly score?: Score;
}

export interface LocationRuleConstraint {
  readonly kind: 'location_rule';
  readonly resource: string;
  /** A pcs rule expression, e.g. "pingd lt 1 or not_defined pingd" (words separated by spaces). */
  readonly rule: string;
  readonly score?: Score;
  readonly role?: Role;
}

export interface ColocationConstraint {
  readonly kind: 'colocation';
  readonly resource: string;
  readonly with: string;
  readonly score?: Score;
  readonly resourceRole?: Role;
  readonly withRole?: Role;
}

export interface OrderConstraint {
  readonly kind: 'order';
  readonly first: string;
  readonly then: string;
  readonly firstAction?: OrderAction;
  /** Defaults to firstAction, as pacemaker does. */
  readonly thenAction?: OrderAction;
  readonly type?: 'Mandatory' | 'Optional' | 'Serialize';
  readonly symmetrical?: boolean;
}

export type ConstraintSpec = LocationConstraint | LocationRuleConstraint | ColocationConstraint | OrderConstraint;

export type PcsConstraintParams = CibTarget &
  ConstraintSpec & {
    /** The constraint id; default follows pcs's own naming (e.g. colocation-A-B-INFINITY). */
    readonly id?: string;
    readonly state?: 'present' | 'absent';
  };

export interface PcsConstraintResult extends PcsResult {
  readonly id: string;
  /** Ids of constraints removed because they constrained the same things differently. */
  readonly replaced: readonly string[];
}

const scoreText = (s: Score | undefined): string => {
  const v = scoreValue(s ?? 'INFINITY');
  return v >= 1_000_000 ? 'INFINITY' : v <= -1_000_000 ? '-INFINITY' : String(v);
};

export function defaultId(c: ConstraintSpec): string {
  switch (c.kind) {
    case 'location':
      return `location-${c.resource}-${c.node}-${scoreText(c.score)}`;
    case 'location_rule':
      return `location-${c.resource}-rule`;
    case 'colocation':
      return `colocation-${c.resource}-${c.with}-${scoreText(c.score)}`;
    case 'order':
      return `order-${c.first}-${c.then}-${(c.type ?? 'Mandatory').toLowerCase()}`;
  }
}

/** A rule as comparable words: lower-case keywords, no value-type words, single spaces. */
export function normalRule(words: string): string {
  return words
    .trim()
    .split(/\s+/)
    .filter((w) => !/^(string|integer|number|version)$/i.test(w))
    .map((w) => (/^(and|or|lt|gt|lte|gte|eq|ne|defined|not_defined)$/i.test(w) ? w.toLowerCase() : w))
    .join(' ');
}

/** The CIB rule written back as a pcs expression; undefined for rules this module does not model. */
export function ruleText(r: CibRule): string | undefined {
  if (r.complex || !r.expressions.length) return undefined;
  const parts = r.expressions.map((e) =>
    e.operation === 'defined' || e.operation === 'not_defined' ? `${e.operation} ${e.attribute}` : `${e.attribute} ${e.operation} ${e.value ?? ''}`,
  );
  return normalRule(parts.join(` ${r.booleanOp} `));
}

/** Does the existing constraint constrain the same things (so it is this one, possibly different)? */
export function sameSubject(c: ConstraintSpec, have: CibConstraint, id: string): boolean {
  if (have.id === id) return true;
  switch (c.kind) {
    case 'location':
      return have.type === 'location' && have.rsc === c.resource && have.node === c.node && !have.rules.length;
    case 'location_rule':
      return false; // rules are found by id, or by being identical (see matches)
    case 'colocation':
      return have.type === 'colocation' && have.rsc === c.resource && have.withRsc === c.with;
    case 'order':
      return have.type === 'order' && have.first === c.first && have.then === c.then;
  }
}

/** Is the existing constraint exactly what is wanted? */
export function matches(c: ConstraintSpec, have: CibConstraint): boolean {
  switch (c.kind) {
    case 'location':
      return have.type === 'location' && have.rsc === c.resource && have.node === c.node && !have.rules.length &&
        scoreValue(have.score ?? '0') === scoreValue(c.score ?? 'INFINITY');
    case 'location_rule': {
      if (have.type !== 'location' || have.rsc !== c.resource || have.rules.length !== 1) return false;
      const rule = have.rules[0]!;
      return ruleText(rule) === normalRule(c.rule) && scoreValue(rule.score ?? '0') === scoreValue(c.score ?? 'INFINITY') &&
        normalRole(rule.role ?? have.role) === normalRole(c.role);
    }
    case 'colocation':
      return have.type === 'colocation' && have.rsc === c.resource && have.withRsc === c.with &&
        scoreValue(have.score) === scoreValue(c.score ?? 'INFINITY') &&
        normalRole(have.rscRole) === normalRole(c.resourceRole) && normalRole(have.withRscRole) === normalRole(c.withRole);
    case 'order': {
      if (have.type !== 'order') return false;
      const first = c.firstAction ?? 'start';
      return have.first === c.first && have.then === c.then && have.firstAction === first &&
        have.thenAction === (c.thenAction ?? first) && have.kind.toLowerCase() === (c.type ?? 'Mandatory').toLowerCase() &&
        have.symmetrical === (c.symmetrical ?? true);
    }
  }
}

function roleWord(d: PcsDialect, role: Role | undefined): string[] {
  if (!role || role === 'Started') return [];
  return [role === 'Promoted' ? promotedRole(d) : unpromotedRole(d)];
}

function addWords(c: ConstraintSpec, id: string, d: PcsDialect): string[] {
  switch (c.kind) {
    case 'location':
      return ['constraint', 'location', 'add', id, c.resource, c.node, scoreText(c.score)];
    case 'location_rule': {
      const role = roleWord(d, c.role);
      return [
        'constraint', 'location', c.resource, 'rule', `constraint-id=${id}`,
        ...(role.length ? [`role=${role[0]}`] : []),
        `score=${scoreText(c.score)}`,
        ...c.rule.trim().split(/\s+/),
      ];
    }
    case 'colocation':
      return [
        'constraint', 'colocation', 'add', ...roleWord(d, c.resourceRole), c.resource,
        'with', ...roleWord(d, c.withRole), c.with, scoreText(c.score), `id=${id}`,
      ];
    case 'order': {
      const first = c.firstAction ?? 'start';
      return [
        'constraint', 'order', first, c.first, 'then', c.thenAction ?? first, c.then,
        ...(c.type && c.type !== 'Mandatory' ? [`kind=${c.type}`] : []),
        ...(c.symmetrical === false ? ['symmetrical=false'] : []),
        `id=${id}`,
      ];
    }
  }
}

const ID = /^[A-Za-z_][-A-Za-z0-9_.]*$/;

function checkParams(p: PcsConstraintParams): void {
  const id = p.id ?? defaultId(p);
  if (!ID.test(id)) throw new ConfigError(`pcs_constraint: invalid constraint id ${JSON.stringify(id)} (set id explicitly)`);
  if (p.kind === 'location_rule' && !p.rule.trim()) throw new ConfigError(`pcs_constraint ${id}: empty rule`);
  for (const s of [(p as { score?: Score }).score]) if (s !== undefined) scoreText(s);
}

function describeSpec(c: ConstraintSpec): string {
  switch (c.kind) {
    case 'location':
      return `location ${c.resource} ${scoreValue(c.score ?? 'INFINITY') >= 0 ? 'prefers' : 'avoids'} ${c.node}`;
    case 'location_rule':
      return `location ${c.resource} rule ${c.rule}`;
    case 'colocation':
      return `colocation ${c.resource} with ${c.with}`;
    case 'order':
      return `order ${c.firstAction ?? 'start'} ${c.first} then ${c.thenAction ?? c.firstAction ?? 'start'} ${c.then}`;
  }
}

export const pcsConstraint = defineModule<PcsConstraintParams, PcsConstraintResult>({
  name: 'pcs_constraint',
  checkMode: true,
  describe: (p) => `pcs constraint ${describeSpec(p)}`,
  preflight: checkParams,
  async run(p, ctx) {
    const d = await pcsDialect(ctx);
    const cib = await readCib(ctx, p);
    const id = p.id ?? defaultId(p);
    const present = (p.state ?? 'present') === 'present';
    const exact = cib.constraints.find((c) => matches(p, c));
    // Constraints on the same subject that differ would fight with this one: they go.
    const rivals = cib.constraints.filter((c) => c !== exact && sameSubject(p, c, id));
    const removed = present ? rivals.map((c) => c.id) : [...(exact ? [exact.id] : []), ...rivals.map((c) => c.id)];
    const plan = removed.map((rid) => pcsCommand(p, ['constraint', 'remove', rid]));
    if (present && !exact) plan.push(pcsCommand(p, addWords(p, id, d)));
    const replaced = removed;
    const summary = !present
      ? `remove ${replaced.join(', ')}`
      : exact
        ? `remove ${replaced.join(', ')} (conflicting with ${exact.id})`
        : `${replaced.length ? `replace ${replaced.join(', ')} with` : 'add'} ${describeSpec(p)} (${id})`;
    const ok = present ? `constraint present (${exact?.id ?? id})` : 'constraint absent';
    const r = await applyPlan(ctx, plan, summary, ok, p);
    return { ...r, id: exact?.id ?? id, replaced };
  },
});
