// Ansible-like plain lines: the output when stdout is not a terminal (CI, logs, pipes).
import type { Reporter, RunEvent } from '../runner/events';
import { CHECK_MODE_LINE, banner, diffText, playTitle, recapLines, resultLine, taskTitle, type Paint } from './format';

export class PlainReporter implements Reporter {
  constructor(
    private readonly write: (line: string) => void,
    private readonly paint: Paint,
  ) {}

  emit(e: RunEvent): void {
    const p = this.paint;
    switch (e.type) {
      case 'playbook':
        if (e.check) this.write(p('warn', CHECK_MODE_LINE));
        break;
      case 'play':
        this.write('');
        this.write(banner(playTitle(e, true), p));
        break;
      case 'task':
        this.write('');
        this.write(banner(`TASK [${taskTitle(e.task)}]`, p));
        break;
      case 'result':
        this.write(resultLine(e, p));
        for (const d of e.diffs ?? []) this.write(diffText(d, p));
        break;
      case 'warning':
        this.write(p('warn', `[WARNING]: ${e.message}`));
        break;
      case 'log':
        this.write(p('dim', `<${e.host}> ${e.line}`));
        break;
      case 'recap':
        this.write('');
        this.write(banner('PLAY RECAP', p));
        recapLines(e.stats, p).forEach((l) => this.write(l));
        break;
      case 'taskDone':
        break;
    }
  }
}
