// The benchmark's own controller tools: Debian's ansible (the reference it is compared with).
// Installed when missing, like scripts/install-deps.sh does for the tests.
import { haveCommand, must, run } from '../lab/proc';
import { progress } from './child';

/** Ansible refuses to start without a UTF-8 locale (lab/proc runs commands with LC_ALL=C). */
export const ANSIBLE_LOCALE: Readonly<Record<string, string>> = { LC_ALL: 'C.UTF-8' };

export async function ensureAnsible(): Promise<string> {
  if (!(await haveCommand('ansible-playbook'))) {
    progress('installing Debian package ansible (the benchmark runs ansible-playbook side by side)');
    const apt = ['apt-get', '-o', 'DPkg::Lock::Timeout=600', '-y', '-q', '--no-install-recommends'];
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    if ((await run([...apt, 'install', 'ansible'], { env })).code !== 0) {
      await must(['apt-get', '-o', 'DPkg::Lock::Timeout=600', '-q', 'update'], { env });
      await must([...apt, 'install', 'ansible'], { env });
    }
  }
  const v = await must(['ansible-playbook', '--version'], { env: ANSIBLE_LOCALE });
  return v.stdout.split('\n')[0]!.trim(); // e.g. "ansible-playbook [core 2.14.18]"
}
