import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { ConfigError } from '@tributary/connect-api';

/**
 * Kafka's `allowed.paths` parameter of the file and directory providers: when set, only files under
 * one of the listed directories may be read (paths are normalized first, so `..` cannot escape).
 */
export class AllowedPaths {
  private readonly roots: string[] | null;

  constructor(param: string | undefined) {
    const list = (param ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (list.some((p) => !isAbsolute(p))) {
      throw new ConfigError([{ key: 'allowed.paths', message: `every entry must be an absolute path: ${param}` }]);
    }
    this.roots = list.length === 0 ? null : list.map((p) => normalize(p));
  }

  /** The normalized path, or null when it is outside every allowed directory. */
  check(path: string): string | null {
    const p = normalize(resolve(path));
    if (this.roots === null) return p;
    const inside = this.roots.some((root) => {
      const rel = relative(root, p);
      return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
    });
    return inside ? p : null;
  }
}
