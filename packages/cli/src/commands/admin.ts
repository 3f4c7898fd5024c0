import { readFile } from 'node:fs/promises';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { RestClient } from './rest-client.js';

interface GlobalOpts {
  url: string;
  json?: boolean;
  user?: string;
}

function client(cmd: Command): { rest: RestClient; opts: GlobalOpts } {
  const opts = cmd.optsWithGlobals<GlobalOpts>();
  return { rest: new RestClient(opts.url, opts.user), opts };
}

function print(opts: GlobalOpts, data: unknown, table: () => string): void {
  console.log(opts.json ? JSON.stringify(data, null, 2) : table());
}

function grid(head: string[], rows: unknown[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map((c) => (c === undefined || c === null ? '' : String(c))));
  return t.toString();
}

async function readConnectorFile(path: string): Promise<{ name: string; config: Record<string, unknown> }> {
  const body = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  if (typeof body.config === 'object' && body.config !== null)
    return body as { name: string; config: Record<string, unknown> };
  return { name: String(body.name), config: body };
}

interface StatusBody {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: Array<{ id: number; state: string; worker_id: string; trace?: string }>;
  type: string;
}

/** Commands that talk to a running worker's REST API. */
export function registerAdminCommands(program: Command): void {
  program
    .command('list')
    .description('list connectors with their states')
    .action(async (_o, cmd: Command) => {
      const { rest, opts } = client(cmd);
      const { body } = await rest.call<Record<string, { status: StatusBody }>>('GET', '/connectors?expand=status');
      print(opts, body, () =>
        grid(
          ['name', 'type', 'state', 'tasks'],
          Object.values(body).map(({ status: s }) => [
            s.name,
            s.type,
            s.connector.state,
            s.tasks.map((t) => `${t.id}:${t.state}`).join(' '),
          ]),
        ),
      );
    });

  program
    .command('create')
    .description('create a connector from a JSON file (Kafka Connect POST body or flat config)')
    .requiredOption('-f, --file <path>', 'connector JSON file')
    .action(async (o: { file: string }, cmd: Command) => {
      const { rest, opts } = client(cmd);
      const { body } = await rest.call<{ name: string; type: string }>(
        'POST',
        '/connectors',
        await readConnectorFile(o.file),
      );
      print(opts, body, () => `created ${body.name} (${body.type})`);
    });

  program
    .command('status <name>')
    .description('show a connector and its tasks')
    .action(async (name: string, _o, cmd: Command) => {
      const { rest, opts } = client(cmd);
      const { body } = await rest.call<StatusBody>('GET', `/connectors/${encodeURIComponent(name)}/status`);
      print(opts, body, () => {
        const rows = [
          ['connector', body.connector.state, body.connector.worker_id, firstLine(body.connector.trace)],
          ...body.tasks.map((t) => [`task ${t.id}`, t.state, t.worker_id, firstLine(t.trace)]),
        ];
        return `${body.name} (${body.type})\n${grid(['', 'state', 'worker', 'error'], rows)}`;
      });
    });

  const simple: Array<[string, string, string, (n: string) => string]> = [
    ['pause', 'PUT', 'pause a connector and its tasks', (n) => `/connectors/${n}/pause`],
    ['resume', 'PUT', 'resume a paused or stopped connector', (n) => `/connectors/${n}/resume`],
    ['stop', 'PUT', 'stop a connector (tasks shut down; offsets can then be changed)', (n) => `/connectors/${n}/stop`],
    ['delete', 'DELETE', 'delete a connector', (n) => `/connectors/${n}`],
  ];
  for (const [verb, method, description, path] of simple) {
    program
      .command(`${verb} <name>`)
      .description(description)
      .action(async (name: string, _o, cmd: Command) => {
        const { rest, opts } = client(cmd);
        const { status } = await rest.call(method, path(encodeURIComponent(name)));
        print(opts, { name, status }, () => `${verb}: ${name} (${status})`);
      });
  }

  program
    .command('restart <name>')
    .description('restart a connector (and its tasks with --include-tasks)')
    .option('--include-tasks', 'restart the tasks too')
    .option('--only-failed', 'restart only what is FAILED')
    .action(async (name: string, o: { includeTasks?: boolean; onlyFailed?: boolean }, cmd: Command) => {
      const { rest, opts } = client(cmd);
      const q = `includeTasks=${!!o.includeTasks}&onlyFailed=${!!o.onlyFailed}`;
      const { status, body } = await rest.call('POST', `/connectors/${encodeURIComponent(name)}/restart?${q}`);
      print(opts, body ?? { name, status }, () => `restart: ${name} (${status})`);
    });

  program
    .command('offsets <name>')
    .description("show a connector's offsets")
    .action(async (name: string, _o, cmd: Command) => {
      const { rest, opts } = client(cmd);
      const { body } = await rest.call<{ offsets: Array<{ partition: unknown; offset: unknown }> }>(
        'GET',
        `/connectors/${encodeURIComponent(name)}/offsets`,
      );
      print(opts, body, () =>
        grid(
          ['partition', 'offset'],
          body.offsets.map((o) => [JSON.stringify(o.partition), JSON.stringify(o.offset)]),
        ),
      );
    });

  program
    .command('plugins')
    .description('list installed connector plugins')
    .option('--all', 'include converters and transforms')
    .action(async (o: { all?: boolean }, cmd: Command) => {
      const { rest, opts } = client(cmd);
      const { body } = await rest.call<Array<{ class: string; type: string; version?: string }>>(
        'GET',
        `/connector-plugins?connectorsOnly=${!o.all}`,
      );
      print(opts, body, () =>
        grid(
          ['class', 'type', 'version'],
          body.map((p) => [p.class, p.type, p.version]),
        ),
      );
    });

  program
    .command('validate')
    .description('validate a connector config file without creating it')
    .requiredOption('-f, --file <path>', 'connector JSON file')
    .action(async (o: { file: string }, cmd: Command) => {
      const { rest, opts } = client(cmd);
      const { config } = await readConnectorFile(o.file);
      const cls = String(config['connector.class'] ?? '');
      const { body } = await rest.call<{
        error_count: number;
        configs: Array<{ value: { name: string; errors: string[] } }>;
      }>('PUT', `/connector-plugins/${encodeURIComponent(cls)}/config/validate`, config);
      const errors = body.configs.filter((c) => c.value.errors.length > 0);
      print(opts, body, () =>
        errors.length === 0
          ? 'valid'
          : grid(
              ['key', 'error'],
              errors.flatMap((c) => c.value.errors.map((e) => [c.value.name, e])),
            ),
      );
      if (body.error_count > 0) process.exitCode = 2;
    });
}

function firstLine(s?: string): string {
  return s ? s.split('\n')[0]! : '';
}
