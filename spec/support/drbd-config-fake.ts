// drbd_resource's scan of the files drbdadm reads (modules/drbd/config-files.ts), answered from a fake host's
// files: the same files in the same order, each matched with the scan's own grep pattern, so a spec seeds
// /etc/drbd.d with FakeConnection.file() and the module sees what a real host would show it.
import { parse } from 'shell-quote';
import type { ExecResult } from '../../engine/types';
import type { FakeConnection } from './fake-connection';

/** Whether a command is the scan (configScanScript). */
export const isConfigScan = (cmd: string): boolean => cmd.startsWith('for f in /etc/drbd.conf /etc/drbd.d/global_common.conf ');

/** The scan's output on `host`: `defines FILE` / `reads FILE` lines. */
export function answerConfigScan(cmd: string, host: FakeConnection): Partial<ExecResult> {
  const grep = cmd.split('\n').find((l) => l.includes('grep -q -E -e '))!;
  const words = parse(grep.slice(grep.indexOf('grep '))).filter((w): w is string => typeof w === 'string');
  const ere = words[words.indexOf('-e') + 1]!;
  // The pattern's only POSIX class; JS has no bracket classes.
  const line = new RegExp(ere.replaceAll('[:space:]', '\\s'));
  const res = [...host.files.keys()].filter((p) => /^\/etc\/drbd\.d\/[^/.][^/]*\.res$/.test(p)).sort();
  const read = ['/etc/drbd.conf', '/etc/drbd.d/global_common.conf', ...res].filter((p) => host.files.has(p));
  const defines = (p: string): boolean => host.files.get(p)!.content.toString('utf8').split('\n').some((l) => line.test(l));
  return { stdout: read.map((p) => `${defines(p) ? 'defines' : 'reads'} ${p}\n`).join('') };
}

/** Answer the scan on `host` from its files. */
export function serveConfigScan(host: FakeConnection): FakeConnection {
  return host.on(isConfigScan, (cmd, _opts, h) => answerConfigScan(cmd, h));
}
