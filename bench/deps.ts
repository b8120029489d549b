// The benchmark's own controller tools: Debian's ansible (the reference it is compared with).
// Installed when missing, like scripts/install-deps.sh does for the tests.
import { haveCommand, must, run, say } from '../lab/proc';

export async function ensureAnsible(): Promise<string> {
  if (!(await haveCommand('ansible-playbook'))) {
    say('installing Debian package ansible (the benchmark runs ansible-playbook side by side)');
    const apt = ['apt-get', '-o', 'DPkg::Lock::Timeout=600', '-y', '-q', '--no-install-recommends'];
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    if ((await run([...apt, 'install', 'ansible'], { env })).code !== 0) {
      await must(['apt-get', '-o', 'DPkg::Lock::Timeout=600', '-q', 'update'], { env });
      await must([...apt, 'install', 'ansible'], { env });
    }
  }
  const v = await must(['ansible-playbook', '--version']);
  return v.stdout.split('\n')[0]!.trim(); // e.g. "ansible-playbook [core 2.14.18]"
}
