import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, stat, unlink, writeFile, copyFile, open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';

/** A file found in input.path. */
export interface InputFile {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface ScanOptions {
  inputPath: string;
  pattern: RegExp;
  markerExtension: string;
  minimumAgeMs: number;
  sort: string[];
  taskIndex: number;
  taskCount: number;
}

/** Java's `String.hashCode`, so files are split between tasks as kafka-connect-spooldir splits them. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export function ownedBy(name: string, taskIndex: number, taskCount: number): boolean {
  return taskCount <= 1 || Math.abs(javaHashCode(name)) % taskCount === taskIndex;
}

/** Throws an error that names the key and says what to do when `dir` is missing or not writable. */
export async function checkDirectory(dir: string, key: string): Promise<void> {
  let st;
  try {
    st = await stat(dir);
  } catch {
    throw new Error(`${key} ${dir} does not exist: create the directory or correct ${key}`);
  }
  if (!st.isDirectory()) throw new Error(`${key} ${dir} is not a directory: correct ${key}`);
  try {
    await access(dir, constants.W_OK | constants.R_OK | constants.X_OK);
  } catch {
    throw new Error(
      `${key} ${dir} is not readable and writable by this worker (uid ${process.getuid?.()}): fix its permissions or correct ${key}`,
    );
  }
}

/**
 * The files this task may read now, in `files.sort.attributes` order: the whole name matches the
 * pattern, no processing marker, old enough, and owned by this task.
 */
export async function listEligible(
  o: ScanOptions,
  exclude: ReadonlySet<string>,
): Promise<{ files: InputFile[]; tooYoung: number }> {
  const entries = await readdir(o.inputPath, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  const now = Date.now();
  const files: InputFile[] = [];
  let tooYoung = 0;
  for (const e of entries) {
    if (!e.isFile() || e.name.endsWith(o.markerExtension) || exclude.has(e.name)) continue;
    if (!o.pattern.test(e.name) || names.has(e.name + o.markerExtension)) continue;
    if (!ownedBy(e.name, o.taskIndex, o.taskCount)) continue;
    const path = join(o.inputPath, e.name);
    const st = await stat(path).catch(() => null);
    if (!st) continue; // gone since readdir
    if (now - st.mtimeMs < o.minimumAgeMs) {
      tooYoung++;
      continue;
    }
    files.push({ name: e.name, path, size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
  }
  files.sort(comparator(o.sort));
  return { files, tooYoung };
}

function comparator(attrs: string[]): (a: InputFile, b: InputFile) => number {
  const keys = attrs.map((a) => {
    const desc = a.endsWith('Desc');
    const get = a.startsWith('Name')
      ? (f: InputFile) => f.name
      : a.startsWith('Length')
        ? (f: InputFile) => f.size
        : (f: InputFile) => f.mtimeMs;
    return { get, sign: desc ? -1 : 1 };
  });
  return (a, b) => {
    for (const { get, sign } of keys) {
      const x = get(a),
        y = get(b);
      if (x !== y) return (x < y ? -1 : 1) * sign;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

/** SHA-1 of the first 64 KiB: with name, size and mtime, tells a new file with a reused name apart. */
export async function headHash(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return createHash('sha1').update(buf.subarray(0, bytesRead)).digest('hex').slice(0, 16);
  } finally {
    await fh.close();
  }
}

/** Removes the markers of files this task owns: left by a crash, they would block those files forever. */
export async function clearStaleMarkers(o: ScanOptions): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(o.inputPath)) {
    if (!name.endsWith(o.markerExtension)) continue;
    const base = name.slice(0, -o.markerExtension.length);
    if (!ownedBy(base, o.taskIndex, o.taskCount)) continue;
    await unlink(join(o.inputPath, name)).catch(() => undefined);
    removed.push(base);
  }
  return removed;
}

export function markerPath(file: InputFile, ext: string): string {
  return file.path + ext;
}

export async function writeMarker(file: InputFile, ext: string, owner: string): Promise<void> {
  await writeFile(markerPath(file, ext), `${owner} pid ${process.pid} since ${new Date().toISOString()}\n`);
}

export async function removeMarker(file: InputFile, ext: string): Promise<void> {
  await unlink(markerPath(file, ext)).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/** Moves `path` into `dir` (created if needed), never overwriting: a name taken there gets a suffix. */
export async function moveInto(path: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  let target = join(dir, basename(path));
  if (await exists(target)) target = `${target}.${Date.now()}`;
  try {
    await rename(path, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(path, target); // another filesystem: copy, then remove
    await unlink(path);
  }
  return target;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** `yyyy-MM-dd` of the file's mtime (UTC), the MOVEBYDATE sub-directory. */
export function dateDir(mtimeMs: number): string {
  return new Date(mtimeMs).toISOString().slice(0, 10);
}
