import { readFile } from 'node:fs/promises';

/**
 * Datagrams the Linux kernel dropped for the UDP socket bound to `port` (its receive buffer was
 * full), from the `drops` column of /proc/net/udp and /proc/net/udp6. The counter lives as long as
 * the socket. Null where there is no /proc (not Linux) or no such socket.
 */
export async function kernelUdpDrops(port: number): Promise<number | null> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let found = false;
  let drops = 0;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const n = dropsInTable(text, hexPort);
    if (n !== null) {
      found = true;
      drops += n;
    }
  }
  return found ? drops : null;
}

/** Sums the drops of the rows whose local port is `hexPort`, or null when none is. Exported for tests. */
export function dropsInTable(text: string, hexPort: string): number | null {
  let total: number | null = null;
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 13) continue;
    const local = cols[1]!;
    if (local.slice(local.lastIndexOf(':') + 1) !== hexPort) continue;
    total = (total ?? 0) + Number(cols[cols.length - 1]);
  }
  return total;
}
