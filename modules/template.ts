// template: render templates/NAME.hbs with the task's variables and install the result like copy.
// preflight() renders it, so a template error stops the run before any host is touched.
import type { ModuleResult } from '../engine/types';
import { defineModule } from './lib/define';
import { renderTemplate } from './lib/handlebars';
import { absolutePath, wantedAttributes, type FileAttributeParams } from './lib/params';
import type { WantedAttributes } from './lib/attributes';
import type { RemoteFile } from './lib/remote-file';
import { contentProbe, writeContent } from './copy';

export interface TemplateParams extends FileAttributeParams {
  /** A name under templates/ ('drbd-resource' or 'drbd-resource.hbs') or an absolute path to a .hbs file. */
  readonly src: string;
  /** Absolute path on the host. */
  readonly dest: string;
  /** Every variable the template uses; a missing one is an error (Handlebars strict mode). */
  readonly vars: Readonly<Record<string, unknown>>;
}

export interface TemplateResult extends ModuleResult {
  readonly dest: string;
  readonly sha256: string;
}

export const template = defineModule<TemplateParams, TemplateResult, { text: string; attrs: WantedAttributes }, RemoteFile>({
  name: 'template',
  checkMode: true,
  describe: (p) => `template ${p.src} to ${p.dest}`,
  preflight(p) {
    absolutePath(p.dest, `template ${p.src}`);
    return { attrs: wantedAttributes(p, `template ${p.src}`), text: renderTemplate(p.src, p.vars) };
  },
  probe: (p, { text, attrs }, flags) => contentProbe(p.dest, Buffer.from(text), attrs, flags),
  async run(p, ctx, { text, attrs }, cur) {
    return writeContent(ctx, p.dest, Buffer.from(text), attrs, cur);
  },
});
