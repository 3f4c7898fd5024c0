#!/usr/bin/env -S node --max-semi-space-size=16
import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import { endQuietlyOnClosedPipe } from './closed-pipe.js';
import { registerAdminCommands } from './commands/admin.js';
import { registerAdoptCommands } from './commands/adopt.js';
import { registerConsumeCommand } from './commands/consume.js';
import { registerNewCommand } from './commands/new-plugin.js';
import { registerSpooldirCommand } from './commands/spooldir.js';
import { registerTestCommand } from './commands/test.js';
import { runDistributed, runStandalone } from './commands/worker.js';

// V8 heap settings that NODE_OPTIONS does not take, e.g. TRIBUTARY_V8_FLAGS=--heap-growing-percent=10
// for a worker that trades some speed for a smaller heap (see the README's memory notes).
if (process.env.TRIBUTARY_V8_FLAGS) setFlagsFromString(process.env.TRIBUTARY_V8_FLAGS);

endQuietlyOnClosedPipe();

const program = new Command('tributary')
  .description('Tributary: a Kafka Connect-style connector runtime for Node.js')
  .option('--url <url>', 'REST API of a running worker', process.env.TRIBUTARY_URL ?? 'http://127.0.0.1:8083')
  .option('--user <user:password>', 'basic auth credentials for the REST API')
  .option('--json', 'print JSON instead of tables');

program
  .command('standalone <worker-config> [connector-configs...]')
  .description('run a standalone worker (worker.properties or worker.json; connector configs as .json or .properties)')
  .action(runStandalone);

program
  .command('distributed <worker-config>')
  .description('run a worker of a cluster (needs bootstrap.servers, group.id and the *.storage.topic keys)')
  .action(runDistributed);

registerAdminCommands(program);
registerAdoptCommands(program);
registerConsumeCommand(program);
registerSpooldirCommand(program);
registerNewCommand(program);
registerTestCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`tributary: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
