// The terminal view: a listr2 tree per task (task > host) under plain play banners, recap at the end.
// listr2 owns the screen while a task runs, so logs, diffs and warnings are held until the task is drawn.
import type { Reporter, RunEvent } from '../runner/events';
import { CHECK_MODE_LINE, banner, diffText, playTitle, recapLines, resultLine, taskTitle, type Paint } from './format';

type ResultEvent = Extract<RunEvent, { type: 'result' }>;

export class ListrReporter implements Reporter {
  private waiting = new Map<string, (e: ResultEvent) => void>();
  private drawing: Promise<void> | undefined;
  private held: string[] = [];

  constructor(
    private readonly write: (line: string) => void,
    private readonly paint: Paint,
  ) {}

  async emit(e: RunEvent): Promise<void> {
    const p = this.paint;
    switch (e.type) {
      case 'playbook':
        if (e.check) this.write(p('warn', CHECK_MODE_LINE));
        break;
      case 'play':
        this.write(banner(playTitle(e, false), p));
        break;
      case 'task':
        this.draw(taskTitle(e.task), e.hosts);
        break;
      case 'result':
        this.waiting.get(e.host)?.(e);
        this.waiting.delete(e.host);
        for (const d of e.diffs ?? []) this.held.push(diffText(d, p));
        break;
      case 'taskDone':
        await this.drawing;
        this.drawing = undefined;
        this.held.forEach((l) => this.write(l));
        this.held = [];
        break;
      case 'log':
        this.hold(p('dim', `<${e.host}> ${e.line}`));
        break;
      case 'warning':
        this.hold(p('warn', `[WARNING]: ${e.message}`));
        break;
      case 'recap':
        this.write(banner('PLAY RECAP', p));
        recapLines(e.stats, p).forEach((l) => this.write(l));
        break;
    }
  }

  private hold(line: string): void {
    if (this.drawing) this.held.push(line);
    else this.write(line);
  }

  private draw(title: string, hosts: readonly string[]): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Listr } = require('listr2') as typeof import('listr2');
    const results = new Map(
      hosts.map((h) => [h, new Promise<ResultEvent>((resolve) => this.waiting.set(h, resolve))] as const),
    );
    const list = new Listr(
      [
        {
          title,
          task: (_ctx, t) =>
            t.newListr(
              hosts.map((h) => ({
                title: h,
                task: async (_c, ht): Promise<void> => {
                  const r = await results.get(h)!;
                  ht.title = resultLine(r, this.paint);
                  if (r.status === 'skipped') ht.skip(ht.title);
                  if ((r.status === 'failed' && !r.ignored) || r.status === 'unreachable') throw new Error(ht.title);
                },
              })),
              { concurrent: true, exitOnError: false },
            ),
        },
      ],
      { exitOnError: false, rendererOptions: { collapseSubtasks: false, collapseErrors: false, collapseSkips: false } },
    );
    this.drawing = list.run().then(
      () => undefined,
      () => undefined,
    );
  }
}
