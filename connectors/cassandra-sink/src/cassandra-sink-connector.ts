import type { ConfigDef, ConfigValue, ConnectorConfig, SinkConnector } from '@tributary/connect-api';
import { CassandraSession, clientOptions, describeDriverError } from './cassandra-client.js';
import { CassandraSinkTask } from './cassandra-sink-task.js';
import { sinkConfigDef, tableSettings, VERSION, type TableProblem } from './config.js';
import { openTables } from './tables.js';

/** How long `validate()` may spend reaching Cassandra for table metadata. */
const VALIDATE_TIMEOUT_MS = 10_000;

/**
 * DataStax's Cassandra sink: records of each topic are written to one or more tables through
 * `topic.<topic>.<keyspace>.<table>.mapping`. Validation reads the tables' metadata, so a mapping
 * that names a missing column or puts a value of the wrong kind into a column is rejected over REST
 * before anything starts.
 */
export class CassandraSinkConnector implements SinkConnector {
  readonly kind = 'sink' as const;
  private props: ConnectorConfig = {};

  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return sinkConfigDef;
  }
  taskClass() {
    return CassandraSinkTask;
  }

  async validate(config: ConnectorConfig, values: ConfigValue[]): Promise<ConfigValue[]> {
    const add = (p: TableProblem) => {
      let v = values.find((x) => x.name === p.key);
      if (!v)
        values.push(
          (v = { name: p.key, value: config[p.key] ?? null, recommendedValues: [], errors: [], visible: true }),
        );
      if (!v.errors.includes(p.message)) v.errors.push(p.message);
    };
    const { tables, problems } = tableSettings(config);
    problems.forEach(add);
    const contactPoints = (config.contactPoints ?? '').trim();
    const bundle = (config['cloud.secureConnectBundle'] ?? '').trim();
    if (contactPoints && !(config['loadBalancing.localDc'] ?? '').trim()) {
      add({
        key: 'loadBalancing.localDc',
        message:
          'loadBalancing.localDc must be set when contactPoints is set: name the datacenter the connector should write to (e.g. datacenter1).',
      });
    }
    if (bundle && (contactPoints || (config['loadBalancing.localDc'] ?? '').trim())) {
      add({
        key: 'cloud.secureConnectBundle',
        message: 'cloud.secureConnectBundle cannot be combined with contactPoints or loadBalancing.localDc.',
      });
    }
    const topics = (config.topics ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const t of topics) {
      if (!tables.some((x) => x.topic === t))
        add({
          key: `topic.${t}.<keyspace>.<table>.mapping`,
          message: `Topic ${t} has no mapping: add topic.${t}.<keyspace>.<table>.mapping, e.g. "col1=key, col2=value.field".`,
        });
    }
    if (tables.length === 0 && topics.length === 0)
      add({ key: 'topic.<topic>.<keyspace>.<table>.mapping', message: 'No table mapping is configured.' });
    // Reach Cassandra only when the connection keys themselves are fine.
    const connKeys = [
      'contactPoints',
      'port',
      'loadBalancing.localDc',
      'auth.provider',
      'auth.username',
      'auth.password',
      'cloud.secureConnectBundle',
      'connectionPoolLocalSize',
      'queryExecutionTimeout',
    ];
    if (tables.length === 0 || values.some((v) => connKeys.includes(v.name) && v.errors.length > 0)) return values;
    let session: CassandraSession | null = null;
    let gaveUp = false;
    try {
      const opts = clientOptions(sinkConfigDef.parse(config));
      const opening = CassandraSession.open(opts);
      // A session that connects after the deadline must still be closed.
      opening.then(
        (s) => {
          if (gaveUp) void s.close().catch(() => undefined);
        },
        () => undefined,
      );
      session = await withTimeout(opening, VALIDATE_TIMEOUT_MS).catch((e: unknown) => {
        gaveUp = true;
        throw e;
      });
      const checked = await withTimeout(openTables(session, tables), VALIDATE_TIMEOUT_MS);
      checked.problems.forEach(add);
    } catch (err) {
      add({
        key: 'contactPoints',
        message: `Could not read table metadata from Cassandra at ${contactPoints || '127.0.0.1'}:${config.port ?? 9042} to check the mappings: ${describeDriverError(err)}`,
      });
    } finally {
      await session?.close().catch(() => undefined);
    }
    return values;
  }

  start(config: ConnectorConfig): void {
    this.props = config;
  }

  /** Every task gets the whole configuration; the consumer group spreads partitions among them. */
  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...this.props }));
  }

  stop(): void {}

  alterOffsets(): boolean {
    return true; // offsets live only in the consumer group
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
