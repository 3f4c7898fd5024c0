import Table from 'cli-table3';
import type { Command } from 'commander';
import { ConnectCluster, moveAll, type Direction, type MoveResult } from '@tributary/connect-runtime';

interface MoveFlags {
  from: string;
  to: string;
  all?: boolean;
  dryRun?: boolean;
  keep?: boolean;
  timeout: string;
  verify: string;
  settle: string;
  progressTimeout: string;
}

interface GlobalOpts {
  json?: boolean;
  user?: string;
}

const HELP = `
For each connector, one at a time: read its config and check the target has a plugin for its class (--dry-run
stops here and prints a table); GET its offsets twice --settle ms apart while it runs; PUT
/connectors/NAME/stop in the source; GET its offsets until two reads --settle ms apart agree; create it in the
target with initial_state STOPPED; PATCH the offsets (spooldir's translated, sinks keep their consumer group
connect-NAME); resume it. Once it has run --verify ms with every task RUNNING and, if its offsets changed in
those reads (records were moving), its offsets advance in the target too (within --progress-timeout ms, else
it is put back), it is deleted from the source (--keep: left STOPPED there). An idle connector is reported
idle. A run killed at any step is finished by running the same command again: each run starts from what both
clusters report. On a failure the connector is put back where it ran.

Example:
  tributary adopt --from http://connect:8083 --to http://tributary:8083 --all --dry-run
  tributary adopt --from http://connect:8083 --to http://tributary:8083 orders-cdc files-in
  tributary handback --from http://tributary:8083 --to http://connect:8083 orders-cdc`;

/** `tributary adopt` and `tributary handback`: move connectors between Kafka Connect and Tributary clusters. */
export function registerAdoptCommands(program: Command): void {
  const define = (name: Direction, description: string, from: string, to: string) =>
    program
      .command(`${name} [names...]`)
      .description(description)
      .requiredOption('--from <url>', `REST API of the ${from} cluster`)
      .requiredOption('--to <url>', `REST API of the ${to} cluster`)
      .option('--all', `every connector of the ${from} cluster`)
      .option('--dry-run', 'print what would be moved (class, plugin, unsupported keys, changes); change nothing')
      .option('--keep', `leave each moved connector STOPPED in the ${from} cluster instead of deleting it`)
      .option('--timeout <ms>', 'how long a connector may take to stop, or to start in the target', '60000')
      .option('--verify <ms>', 'how long it must stay RUNNING in the target before its source copy goes', '3000')
      .option('--settle <ms>', "how long a stopped source's offsets must stay unchanged before they are copied", '2000')
      .option(
        '--progress-timeout <ms>',
        'how long a connector that was moving records may take to advance its offsets in the target ' +
          "(more than the target's offset.flush.interval.ms)",
        '75000',
      )
      .addHelpText('after', HELP)
      .action((names: string[], flags: MoveFlags, cmd: Command) => run(name, names, flags, cmd));
  define(
    'adopt',
    'move connectors from a Kafka Connect cluster into Tributary, one at a time, with their offsets',
    'Kafka Connect',
    'Tributary',
  );
  define('handback', 'move connectors from Tributary back to a Kafka Connect cluster', 'Tributary', 'Kafka Connect');
}

async function run(direction: Direction, names: string[], flags: MoveFlags, cmd: Command): Promise<void> {
  const opts = cmd.optsWithGlobals<GlobalOpts>();
  if (names.length === 0 && !flags.all) throw new Error(`${direction}: name connectors, or give --all`);
  const results = await moveAll(
    new ConnectCluster(flags.from, opts.user),
    new ConnectCluster(flags.to, opts.user),
    {
      direction,
      names,
      all: !!flags.all,
      dryRun: !!flags.dryRun,
      keep: !!flags.keep,
      timeoutMs: Number(flags.timeout),
      verifyMs: Number(flags.verify),
      settleMs: Number(flags.settle),
      progressMs: Number(flags.progressTimeout),
    },
    (line) => console.error(`${direction}: ${line}`),
  );
  console.log(opts.json ? JSON.stringify(results, null, 2) : table(results, !!flags.dryRun));
  if (results.some((r) => r.outcome === 'failed')) process.exitCode = 1;
}

function table(results: MoveResult[], dryRun: boolean): string {
  const head = ['connector', 'type', 'class', 'plugin', 'unsupported keys', 'changes', dryRun ? 'plan' : 'result'];
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of results) {
    const i = r.inspection;
    t.push([
      r.name,
      i?.type ?? '',
      i?.connectorClass ?? '',
      i ? (i.plugin ? `yes ${i.plugin.version ?? ''}`.trim() : 'NO') : '',
      i?.unsupported.join('\n') ?? '',
      [...(i?.changes ?? []), ...(i?.errors.map((e) => `rejected: ${e}`) ?? [])].join('\n'),
      `${r.outcome}: ${r.detail}`,
    ]);
  }
  return t.toString();
}
