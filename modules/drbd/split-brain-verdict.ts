// The pair's split-brain verdict from what each node read (drbd_split_brain), and the words users get: which
// node has which role, the evidence, and LINBIT's manual recovery. Pure: the drbd role's refusal and
// playbooks/status.ts say exactly the same thing.
import { compareGenerations, type Generations } from './generations';
import type { SplitBrainLogEvent } from './kernel-log';

/** What one node can tell: its side of the resource, and what a StandAlone node read besides. */
export interface SplitBrainFacts {
  /** The resource is configured in the kernel. */
  readonly up: boolean;
  readonly role?: string;
  readonly disk?: string;
  /** The connection to the peer; StandAlone when DRBD will not connect by itself (status.ts peerConnection). */
  readonly connection?: string;
  /** Read only when StandAlone: the latest kernel line about the resource's split brain or its handshakes. */
  readonly kernelLog?: SplitBrainLogEvent;
  /** Read only when StandAlone: `drbdadm get-gi`. */
  readonly generations?: Generations;
}

export interface NodeFacts {
  readonly host: string;
  /** Undefined when the node's read did not run or failed. */
  readonly facts?: SplitBrainFacts;
}

export interface SplitBrainVerdict {
  readonly splitBrain: boolean;
  /** Why, one phrase a finding: a node's kernel log line, or both nodes' diverged generations. */
  readonly evidence: readonly string[];
}

const standAlone = (f: SplitBrainFacts | undefined): f is SplitBrainFacts => !!f?.up && f.connection === 'StandAlone';

/** A kernel line as DRBD wrote it: without dmesg's timestamp or a syslog header ("... kernel: ") in front. */
const kernelText = (line: string): string => line.replace(/^\[\s*\d+\.\d+\]\s*/, '').replace(/^.*?\bkernel: /, '');

/**
 * A split brain is what DRBD itself declared, or would declare: a node StandAlone whose kernel log's latest
 * word on the resource is "Split-Brain detected but unresolved" (DRBD 8.4 may say it on one node only, the
 * other waiting to connect), or both nodes StandAlone with data moved apart from a common generation.
 */
export function judgeSplitBrain(nodes: readonly NodeFacts[]): SplitBrainVerdict {
  const evidence: string[] = [];
  for (const { host, facts } of nodes) {
    if (standAlone(facts) && facts.kernelLog?.kind === 'unresolved') evidence.push(`${host}'s kernel log: "${kernelText(facts.kernelLog.line)}"`);
  }
  const apart = nodes.filter((n) => standAlone(n.facts) && n.facts?.generations);
  if (nodes.length === 2 && apart.length === 2) {
    const [a, b] = apart.map((n) => ({ host: n.host, gi: n.facts!.generations! }));
    if (compareGenerations(a!.gi, b!.gi) === 'diverged') {
      evidence.push(`both StandAlone with data moved apart from a common generation (${a!.host} now at ${a!.gi.current}, ${b!.host} at ${b!.gi.current})`);
    }
  }
  return { splitBrain: evidence.length > 0, evidence };
}

/** "vprotect1 is Primary (disk UpToDate, StandAlone)", per node. */
export function describeNodes(resource: string, nodes: readonly NodeFacts[]): string {
  return nodes
    .map(({ host, facts }) => {
      if (!facts) return `${host} could not be read`;
      if (!facts.up) return `${host} has ${resource} down`;
      return `${host} is ${facts.role ?? 'Unknown'} (disk ${facts.disk ?? 'Unknown'}, ${facts.connection ?? 'Unknown'})`;
    })
    .join(', ');
}

/** The refusal: who has which role, the evidence, that nothing is chosen for the user, and the way out. */
export function splitBrainMessage(self: string, resource: string, nodes: readonly NodeFacts[], verdict: SplitBrainVerdict): string {
  const r = resource;
  return (
    `DRBD split brain on resource ${r}, seen from ${self}: ${describeNodes(r, nodes)}. Evidence: ${verdict.evidence.join('; ')}. ` +
    'Both nodes wrote data the other lacks while they could not reach each other; DRBD keeps both and will not reconnect them ' +
    "until one side's changes are discarded. This playbook will not choose which side: it stops here and changes nothing. " +
    "The way out (LINBIT's manual split-brain recovery): decide which node's changes since the split are to be discarded (the victim) " +
    'and which node keeps its data (the survivor). The victim must be Secondary: if it is Primary, move the cluster\'s resources to the survivor first. ' +
    `On the victim: drbdadm disconnect ${r}; drbdadm secondary ${r}; drbdadm connect --discard-my-data ${r} ` +
    '(DRBD 8.4 answers the disconnect of a StandAlone node with "unknown connection": it is disconnected already, go on). ' +
    `On the survivor, if it is StandAlone: drbdadm connect ${r}. ` +
    'The victim then resyncs from the survivor; check with playbooks/status.ts, then run site.ts again.'
  );
}

/** What the check says when there is none. */
export function noSplitBrainMessage(resource: string, nodes: readonly NodeFacts[]): string {
  return `no split brain on ${resource}: ${describeNodes(resource, nodes)}`;
}
