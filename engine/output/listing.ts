// --list-hosts, --list-tasks and --list-tags, worded as ansible-playbook does.
import type { Playbook } from '../dsl';
import { selected, type TagFilter } from '../tags';
import { taskLabel, taskTags, walkTasks, type PlannedPlay } from '../runner/plan';

const fmtTags = (tags: readonly string[]): string => `[${[...tags].sort().join(', ')}]`;

export function listHosts(pb: Playbook, planned: readonly PlannedPlay[]): string[] {
  const out = [`playbook: ${pb.name}`];
  planned.forEach((p, i) => {
    out.push('', `  play #${i + 1} (${p.play.hosts}): ${p.play.name}\tTAGS: ${fmtTags(p.play.tags ?? [])}`);
    out.push(`    pattern: ['${p.play.hosts}']`, `    hosts (${p.hosts.length}):`, ...p.hosts.map((h) => `      ${h}`));
  });
  return out;
}

export function listTasks(pb: Playbook, planned: readonly PlannedPlay[], filter: TagFilter): string[] {
  const out = [`playbook: ${pb.name}`];
  planned.forEach((p, i) => {
    out.push('', `  play #${i + 1} (${p.play.hosts}): ${p.play.name}\tTAGS: ${fmtTags(p.play.tags ?? [])}`, '    tasks:');
    for (const s of p.sections) {
      for (const { node, scope } of walkTasks(s.nodes, s.scope)) {
        const tags = taskTags(node, scope);
        if (node.kind === 'flush' || node.kind === 'block' || !selected(tags, filter)) continue;
        const name = node.kind === 'task' ? node.opts.name : node.name;
        out.push(`      ${taskLabel(name, scope)}\tTAGS: ${fmtTags(tags)}`);
      }
    }
  });
  return out;
}

export function listTags(pb: Playbook, planned: readonly PlannedPlay[]): string[] {
  const out = [`playbook: ${pb.name}`];
  planned.forEach((p, i) => {
    const tags = new Set<string>();
    for (const s of p.sections) for (const { node, scope } of walkTasks(s.nodes, s.scope)) taskTags(node, scope).forEach((t) => tags.add(t));
    out.push('', `  play #${i + 1} (${p.play.hosts}): ${p.play.name}\tTAGS: ${fmtTags(p.play.tags ?? [])}`, `      TASK TAGS: ${fmtTags([...tags])}`);
  });
  return out;
}
