// Which file drbd_resource writes, from the files drbdadm reads that already define the resource: never a
// second definition (every drbdadm command refuses a resource defined twice, on a cluster holding data).
// The file that defines it alone is the one written, whatever its name (the how-to's vprotect.res); two are
// refused, as is a file whose other resources the new content would drop.
import { ModuleError } from '../../engine/errors';
import { drbdConfigPaths, readByDrbdadm, resourcesDefined, type DrbdConfigFiles } from './config-files';

export interface ResourceTarget {
  readonly path: string;
  /** Found defining the resource away from the default path: the role's content goes there. */
  readonly adopted: boolean;
}

const nothingWritten = 'nothing was written';
const list = (files: readonly string[]): string => (files.length > 1 ? `${files.slice(0, -1).join(', ')} and ${files.at(-1)!}` : (files[0] ?? ''));

/** `asked`: the module's path parameter, when given. Throws a ModuleError naming host, resource and files. */
export function resourceTarget(host: string, name: string, asked: string | undefined, files: DrbdConfigFiles): ResourceTarget {
  const p = drbdConfigPaths();
  const defining = files.defining;
  if (defining.length > 1) {
    throw new ModuleError(
      `resource ${name} is defined in ${defining.length} files drbdadm reads on ${host}: ${list(defining)}; drbdadm refuses a resource ` +
        `defined twice, so ${nothingWritten}: remove the duplicate${defining.length > 2 ? 's' : ''} and rerun`,
    );
  }
  const found = defining[0];
  if (asked !== undefined) {
    if (found !== undefined && found !== asked && readByDrbdadm(asked)) {
      throw new ModuleError(
        `resource ${name} is already defined in ${found} on ${host}: writing it to ${asked} too would define it twice, which drbdadm ` +
          `refuses, so ${nothingWritten}: remove that definition, or leave path unset to write into ${found}`,
      );
    }
    return { path: asked, adopted: false };
  }
  const own = p.resourceFile(name);
  if (found === undefined || found === own) return { path: own, adopted: false };
  if (found === p.conf || found === p.globalCommon) {
    throw new ModuleError(
      `resource ${name} is defined in ${found} on ${host}, a file that holds DRBD's other configuration too, so ${nothingWritten}: ` +
        `move the resource to ${own}, a file of its own, and rerun`,
    );
  }
  return { path: found, adopted: true };
}

/** The file about to be replaced must hold no resource but this one: the new content would drop the others. */
export function assertOnlyResource(host: string, name: string, file: string, current: string): void {
  const others = [...new Set(resourcesDefined(current).filter((r) => r !== name))];
  if (!others.length) return;
  const one = others.length === 1;
  throw new ModuleError(
    `refusing to write resource ${name} to ${file} on ${host}: the file defines resource${one ? '' : 's'} ${list(others)} too, ` +
      `which the new content would drop, so ${nothingWritten}: move ${one ? 'it to a file of its own' : 'them to files of their own'} and rerun`,
  );
}
