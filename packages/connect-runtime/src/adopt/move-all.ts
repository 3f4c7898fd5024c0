import type { ConnectCluster } from './cluster.js';
import { moveConnector, type MoveOptions, type MoveResult } from './move.js';

export interface MoveRequest extends Omit<MoveOptions, 'say'> {
  /** Connectors to move; empty with `all` for every connector of `from`. */
  readonly names: readonly string[];
  readonly all: boolean;
}

/**
 * `adopt` or `handback` of connectors from `from` to `to`, one at a time (the CLI's command and the console's
 * route). Both clusters must answer first: an unreachable one means nothing moves, and the call throws.
 * `say` gets each step; `done` each connector's result as it comes.
 */
export async function moveAll(
  from: ConnectCluster,
  to: ConnectCluster,
  r: MoveRequest,
  say: (line: string) => void,
  done: (result: MoveResult) => void = () => undefined,
): Promise<MoveResult[]> {
  if (r.names.length === 0 && !r.all) throw new Error(`${r.direction}: name connectors, or give all`);
  await Promise.all([from.info(), to.info()]).catch((e: Error) => {
    throw new Error(`${r.direction}: nothing moved: ${e.message}`);
  });
  const plugins = await to.plugins();
  const todo = r.all ? await from.names() : r.names;
  const results: MoveResult[] = [];
  for (const name of todo) {
    let result: MoveResult;
    try {
      result = await moveConnector(name, from, to, plugins, { ...r, say });
    } catch (e) {
      // A cluster that stops answering between steps: the next run continues from what both report.
      result = { name, outcome: 'failed', detail: `${(e as Error).message}; run the same command again` };
    }
    results.push(result);
    done(result);
  }
  return results;
}
