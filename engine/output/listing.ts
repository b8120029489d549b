// --list-hosts, --list-tasks and --list-tags, worded as ansible-playbook does, read from the plan.
import { plannedTasks, type Plan, type PlannedPlay } from '../runner/plan';

const fmtTags = (tags: readonly string[]): string => `[${[...tags].sort().join(', ')}]`;

const playLine = (p: PlannedPlay, i: number): string => `  play #${i + 1} (${p.play.hosts}): ${p.play.name}\tTAGS: ${fmtTags(p.play.tags ?? [])}`;

export function listHosts(plan: Plan): string[] {
  const out = [`playbook: ${plan.playbook.name}`];
  plan.plays.forEach((p, i) => {
    out.push('', playLine(p, i));
    out.push(`    pattern: ['${p.play.hosts}']`, `    hosts (${p.hosts.length}):`, ...p.hosts.map((h) => `      ${h}`));
  });
  return out;
}

export function listTasks(plan: Plan): string[] {
  const out = [`playbook: ${plan.playbook.name}`];
  plan.plays.forEach((p, i) => {
    out.push('', playLine(p, i), '    tasks:');
    for (const t of plannedTasks(p.steps)) if (t.selected) out.push(`      ${t.label}\tTAGS: ${fmtTags(t.tags)}`);
  });
  return out;
}

/** The tags of the tasks that would run (--tags/--skip-tags; `never` tasks only when asked for), as Ansible lists them. */
export function listTags(plan: Plan): string[] {
  const out = [`playbook: ${plan.playbook.name}`];
  plan.plays.forEach((p, i) => {
    const tags = new Set(plannedTasks(p.steps).filter((t) => t.selected).flatMap((t) => t.tags));
    out.push('', playLine(p, i), `      TASK TAGS: ${fmtTags([...tags])}`);
  });
  return out;
}
