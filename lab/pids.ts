// Process bookkeeping for the lab: recorded PIDs are checked against their command line before any
// signal, so a recycled PID is never killed.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sleep, waitFor } from './proc';

export async function cmdline(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie. */
export async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The PID recorded in `file` if that process is alive and its argv contains every `marker`. */
export async function recordedPid(file: string, markers: readonly string[]): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const argv = await cmdline(pid);
  if (!argv || !(await alive(pid))) return undefined;
  return markers.every((m) => argv.some((a) => a.includes(m))) ? pid : undefined;
}

/** Direct children of pid (scans /proc: works without CONFIG_PROC_CHILDREN). */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await fs.readFile(path.join('/proc', name, 'stat'), 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(name));
  }
  return out;
}

/** The descendant of `ancestor` that is PID 1 of its own PID namespace (a container's init). */
export async function namespaceInit(ancestor: number): Promise<number | undefined> {
  const queue = [ancestor];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const child of await childrenOf(pid)) {
      const status = await fs.readFile(`/proc/${child}/status`, 'utf8').catch(() => '');
      const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
      if (nspid.length > 1 && nspid[nspid.length - 1] === '1') return child;
      queue.push(child);
    }
  }
  return undefined;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** Send `sig`, wait up to `graceMs` for the exit, then SIGKILL. Resolves when the process is gone. */
export async function stopProcess(pid: number, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  signal(pid, sig);
  if (await waitFor(async () => !(await alive(pid)), graceMs)) return;
  signal(pid, 'SIGKILL');
  await waitFor(async () => !(await alive(pid)), 10_000);
  await sleep(0);
}
