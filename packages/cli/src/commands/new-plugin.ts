import { relative } from 'node:path';
import type { Command } from 'commander';
import { writePlugin } from '../scaffold/write-plugin.js';

/** `tributary new plugin <name> [--source|--sink]`: scaffolds a plugin package that passes the SDK's kit. */
export function registerNewCommand(program: Command): void {
  const create = program.command('new').description('scaffold a new project');
  create
    .command('plugin <name>')
    .description(
      "a connector plugin package (TypeScript, config declaration, task, a test running the SDK's conformance kit, README)",
    )
    .option('--source', 'a source connector (the default)')
    .option('--sink', 'a sink connector')
    .option('-d, --dir <parent>', 'the folder to create it in', '.')
    .action(async (name: string, o: { source?: boolean; sink?: boolean; dir: string }) => {
      if (o.source && o.sink) throw new Error('choose one of --source and --sink');
      const { dir, files } = await writePlugin(name, o.sink ? 'sink' : 'source', o.dir);
      const rel = relative(process.cwd(), dir) || '.';
      process.stdout.write(`created ${rel}/ (${files.length} files)\n\n  cd ${rel}\n  npm install\n  npm test\n`);
    });
}
