import { appendFile, readFile } from 'node:fs/promises';

/** Line `i` of a numbered test stream: sortable by its number, `pad` characters of padding. */
export const numberedLine = (i: number, pad = 80, fill = 'x') =>
  `line-${String(i).padStart(7, '0')} ${fill.repeat(pad)}`;

/** Appends lines `from`..`to`-1 (made by `make`) to `file`, 10k lines per write, as a growing log file. */
export async function appendLines(
  file: string,
  from: number,
  to: number,
  make: (i: number) => string = numberedLine,
): Promise<void> {
  const chunk = 10_000;
  for (let i = from; i < to; i += chunk) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(to, i + chunk); j++) lines.push(make(j));
    await appendFile(file, lines.join('\n') + '\n');
  }
}

/** The lines a file sink wrote so far (none when the file does not exist yet). */
export async function sinkLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}
