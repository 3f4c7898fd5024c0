import type { SinkConnector, SourceConnector } from '@tributary/connect-api';

/**
 * What Connect's runtime adds to every task config a connector generates: `task.class`, and for a
 * sink the connector's `topics` / `topics.regex`. A Kafka Connect worker refuses a task config
 * without `task.class`, so a cluster's config topic stays readable by Java workers.
 *
 * `connectorClass` is the connector's canonical class name; the task class is named in its package.
 */
export function withRuntimeKeys(
  connectorClass: string,
  connector: SourceConnector | SinkConnector,
  connectorConfig: Readonly<Record<string, string>>,
  taskConfig: Record<string, string>,
): Record<string, string> {
  const pkg = connectorClass.includes('.') ? connectorClass.slice(0, connectorClass.lastIndexOf('.') + 1) : '';
  const out: Record<string, string> = { ...taskConfig, 'task.class': pkg + connector.taskClass().name };
  if (connector.kind === 'sink') {
    for (const key of ['topics', 'topics.regex'])
      if (connectorConfig[key] !== undefined) out[key] = connectorConfig[key]!;
  }
  return out;
}
