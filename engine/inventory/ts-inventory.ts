// The typed inventory: a TS module whose default export is an InventorySpec (defineInventory({...})).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors';
import type { InventoryDraft, VarLayer } from './draft';
import type { PropertyLines } from './property-lines';
import type { InventorySpec, Vars } from './types';

const varsSchema = z.record(z.string(), z.unknown());
const specSchema = z.strictObject({
  vars: varsSchema.optional(),
  hosts: z.record(z.string(), varsSchema).optional(),
  groups: z
    .record(
      z.string(),
      z.strictObject({
        hosts: z
          .union([z.array(z.string()), z.record(z.string(), varsSchema)], {
            error: 'expected a list of host names or a mapping of host name -> variables',
          })
          .optional(),
        children: z.array(z.string()).optional(),
        vars: varsSchema.optional(),
      }),
    )
    .optional(),
});

export function loadTsInventory(file: string, draft: InventoryDraft): void {
  // Required here, not imported: ts-lines.ts uses the TypeScript API's types, which would otherwise enter
  // every playbook's type-checked program (typescript.d.ts, 0.6 MB to parse).
  const { tsPropertyLines } = require('./ts-lines') as { readonly tsPropertyLines: PropertyLines };
  const lineOf = tsPropertyLines(readFileSync(file, 'utf8'), file);
  const at = (path: readonly (string | number)[]): string => `${file}:${lineOf(path)}`;
  const spec = validate(requireSpec(file), at);

  draft.addGroupVars('all', at(['vars']), layerOf(spec.vars, ['vars'], at));
  for (const [name, vars] of Object.entries(spec.hosts ?? {})) {
    draft.addHost(name, at(['hosts', name]), layerOf(vars, ['hosts', name], at));
  }
  const groups = spec.groups ?? {};
  for (const [group, body] of Object.entries(groups)) {
    draft.group(group, at(['groups', group]));
    const hosts = body.hosts ?? [];
    if (Array.isArray(hosts)) {
      for (const name of hosts) draft.addHost(name, at(['groups', group, 'hosts', name]), new Map(), group);
    } else {
      for (const [name, vars] of Object.entries(hosts)) {
        const path = ['groups', group, 'hosts', name];
        draft.addHost(name, at(path), layerOf(vars, path, at), group);
      }
    }
    draft.addGroupVars(group, at(['groups', group, 'vars']), layerOf(body.vars, ['groups', group, 'vars'], at));
  }
  // Children last, so a child defined further down the object is known.
  for (const [group, body] of Object.entries(groups)) {
    for (const child of body.children ?? []) {
      const origin = at(['groups', group, 'children', child]);
      if (!(child in groups) && child !== 'ungrouped') {
        throw new ConfigError(`${origin}: group '${group}' has unknown child group '${child}'`);
      }
      draft.addChild(group, child, origin);
    }
  }
}

function requireSpec(file: string): unknown {
  let loaded: unknown;
  try {
    loaded = require(resolve(file)) as unknown;
  } catch (e) {
    // ts-node's TSError carries the compiler's file:line diagnostics in its message.
    throw new ConfigError(`${file}: cannot load the inventory module: ${(e as Error).message}`);
  }
  const exports = loaded as { default?: unknown } | null;
  return exports !== null && typeof exports === 'object' && 'default' in exports ? exports.default : loaded;
}

function validate(spec: unknown, at: (path: readonly (string | number)[]) => string): InventorySpec {
  const result = specSchema.safeParse(spec);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== 'symbol');
  // An unknown key's issue sits on the object holding it: point at the key itself.
  if (issue?.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  throw new ConfigError(`${at(path)}: ${where}${issue?.message ?? 'not an inventory'} (export default defineInventory({...}))`);
}

function layerOf(vars: Vars | undefined, path: readonly string[], at: (path: readonly (string | number)[]) => string): VarLayer {
  return new Map(Object.entries(vars ?? {}).map(([key, value]) => [key, { value, origin: at([...path, key]) }]));
}
