import { ConfigDef, Validators } from '@tributary/connect-api';
import { defineAutoRestart } from '../restart/auto-restart-config.js';

const COMMON = 'Common';
const TRANSFORMS = 'Transforms';
const PREDICATES = 'Predicates';
const EXACTLY_ONCE = 'Exactly Once Support';
const ERRORS = 'Error Handling';

/** Keys every connector has, as Kafka's `ConnectorConfig`. */
export function commonConnectorConfigDef(): ConfigDef {
  let order = 0;
  const def = new ConfigDef()
    .define({
      name: 'name',
      type: 'STRING',
      importance: 'HIGH',
      group: COMMON,
      orderInGroup: ++order,
      width: 'MEDIUM',
      displayName: 'Connector name',
      documentation: 'Globally unique name to use for this connector.',
      validator: Validators.nonEmptyString(),
    })
    .define({
      name: 'connector.class',
      type: 'STRING',
      importance: 'HIGH',
      group: COMMON,
      orderInGroup: ++order,
      width: 'LONG',
      displayName: 'Connector class',
      documentation:
        'Name or alias of the class for this connector, e.g. org.apache.kafka.connect.file.FileStreamSinkConnector or FileStreamSink.',
    })
    .define({
      name: 'tasks.max',
      type: 'INT',
      default: 1,
      importance: 'HIGH',
      group: COMMON,
      orderInGroup: ++order,
      width: 'SHORT',
      displayName: 'Tasks max',
      documentation: 'Maximum number of tasks to use for this connector.',
      validator: Validators.atLeast(1),
    })
    .define({
      name: 'tasks.max.enforce',
      type: 'BOOLEAN',
      default: true,
      importance: 'LOW',
      group: COMMON,
      orderInGroup: ++order,
      width: 'SHORT',
      displayName: 'Enforce tasks max',
      documentation:
        '(Deprecated, KIP-1004) Whether a connector that generates more tasks than tasks.max fails. If false, the extra tasks run.',
    })
    .define({
      name: 'key.converter',
      type: 'CLASS',
      default: null,
      importance: 'LOW',
      group: COMMON,
      orderInGroup: ++order,
      width: 'SHORT',
      displayName: 'Key converter class',
      documentation: 'Converter for keys; overrides the worker setting. Settings under key.converter.* go to it.',
    })
    .define({
      name: 'value.converter',
      type: 'CLASS',
      default: null,
      importance: 'LOW',
      group: COMMON,
      orderInGroup: ++order,
      width: 'SHORT',
      displayName: 'Value converter class',
      documentation: 'Converter for values; overrides the worker setting. Settings under value.converter.* go to it.',
    })
    .define({
      name: 'header.converter',
      type: 'CLASS',
      default: null,
      importance: 'LOW',
      group: COMMON,
      orderInGroup: ++order,
      width: 'SHORT',
      displayName: 'Header converter class',
      documentation: 'Converter for header values; overrides the worker setting.',
    })
    .define({
      name: 'transforms',
      type: 'LIST',
      default: '',
      importance: 'LOW',
      group: TRANSFORMS,
      orderInGroup: ++order,
      width: 'LONG',
      displayName: 'Transforms',
      documentation: 'Aliases for the transformations to apply to records, in order.',
    })
    .define({
      name: 'predicates',
      type: 'LIST',
      default: '',
      importance: 'LOW',
      group: PREDICATES,
      orderInGroup: ++order,
      width: 'LONG',
      displayName: 'Predicates',
      documentation: 'Aliases for the predicates used by transformations.',
    })
    .define({
      name: 'config.action.reload',
      type: 'STRING',
      default: 'restart',
      importance: 'LOW',
      group: COMMON,
      orderInGroup: ++order,
      width: 'MEDIUM',
      displayName: 'Reload Action',
      documentation: 'What to do when a config provider says a value changed: restart or none.',
      validator: Validators.inIgnoreCase('none', 'restart'),
    })
    .define({
      name: 'errors.retry.timeout',
      type: 'LONG',
      default: 0,
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 1,
      width: 'MEDIUM',
      displayName: 'Retry Timeout for Errors',
      documentation:
        'Total ms a retriable failure of a converter (a schema registry lookup) is retried before errors.tolerance decides; 0 means no retries, -1 forever. Connectors may apply it to their own writes. Writes to Kafka, put() and group joins are retried until they succeed, as in Kafka Connect.',
    })
    .define({
      name: 'errors.retry.delay.max.ms',
      type: 'LONG',
      default: 60000,
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 2,
      width: 'MEDIUM',
      displayName: 'Maximum Delay Between Retries for Errors',
      documentation:
        'Largest delay between consecutive retries; backoff starts at 300 ms and doubles, then jitters below this cap (at most 10 s for the retries without limit).',
    })
    .define({
      name: 'errors.tolerance',
      type: 'STRING',
      default: 'none',
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 3,
      width: 'SHORT',
      displayName: 'Error Tolerance',
      documentation:
        'none: a conversion or transform error fails the task; all: the record is skipped (and logged or dead-lettered as configured).',
      validator: Validators.inIgnoreCase('none', 'all'),
    })
    .define({
      name: 'errors.log.enable',
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 4,
      width: 'SHORT',
      displayName: 'Log Errors',
      documentation: 'Log each failed operation and problem record.',
    })
    .define({
      name: 'errors.log.include.messages',
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 5,
      width: 'SHORT',
      displayName: 'Log Error Details',
      documentation:
        'Include the record (topic, partition, offset, timestamp; key and value for sources) in error logs.',
    });
  return defineAutoRestart(def, true);
}

/** Keys sink connectors add. */
export function sinkConnectorConfigDef(): ConfigDef {
  return commonConnectorConfigDef()
    .define({
      name: 'topics',
      type: 'LIST',
      default: '',
      importance: 'HIGH',
      group: COMMON,
      orderInGroup: 4,
      width: 'LONG',
      displayName: 'Topics',
      documentation: 'List of topics to consume, separated by commas.',
    })
    .define({
      name: 'topics.regex',
      type: 'STRING',
      default: '',
      importance: 'HIGH',
      group: COMMON,
      orderInGroup: 4,
      width: 'LONG',
      displayName: 'Topics regex',
      documentation: 'Regular expression giving topics to consume.',
    })
    .define({
      name: 'errors.deadletterqueue.topic.name',
      type: 'STRING',
      default: '',
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 6,
      width: 'MEDIUM',
      displayName: 'Dead Letter Queue Topic Name',
      documentation: 'Topic that receives records that failed conversion, transformation or writing.',
    })
    .define({
      name: 'errors.deadletterqueue.topic.replication.factor',
      type: 'SHORT',
      default: 3,
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 7,
      width: 'MEDIUM',
      displayName: 'Dead Letter Queue Topic Replication Factor',
      documentation: 'Replication factor of the dead letter queue topic when it is created.',
    })
    .define({
      name: 'errors.deadletterqueue.context.headers.enable',
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 8,
      width: 'MEDIUM',
      displayName: 'Enable Error Context Headers',
      documentation: 'Add __connect.errors.* headers describing the failure to dead-lettered records.',
    });
}

/** Keys source connectors add. */
export function sourceConnectorConfigDef(): ConfigDef {
  return commonConnectorConfigDef()
    .define({
      name: 'topic.creation.groups',
      type: 'LIST',
      default: '',
      importance: 'LOW',
      group: 'Topic Creation',
      orderInGroup: 1,
      width: 'LONG',
      displayName: 'Topic Creation Groups',
      documentation: 'Groups of topic-creation settings besides default (KIP-158).',
    })
    .define({
      name: 'errors.deadletterqueue.topic.name',
      type: 'STRING',
      default: '',
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 6,
      width: 'MEDIUM',
      displayName: 'Dead Letter Queue Topic Name',
      documentation:
        'Tributary extension: records a converter or transform rejects go to this topic instead of failing the task.',
    })
    .define({
      name: 'errors.deadletterqueue.context.headers.enable',
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      group: ERRORS,
      orderInGroup: 8,
      width: 'MEDIUM',
      displayName: 'Enable Error Context Headers',
      documentation: 'Add __connect.errors.* headers describing the failure to dead-lettered records.',
    })
    .define({
      name: 'exactly.once.support',
      type: 'STRING',
      default: 'requested',
      importance: 'MEDIUM',
      group: EXACTLY_ONCE,
      orderInGroup: 2,
      width: 'SHORT',
      displayName: 'Exactly once support',
      documentation:
        'With exactly.once.source.support=enabled on the worker: required refuses the connector unless it declares exactly-once support; requested runs it exactly once when it can and says so when it cannot.',
      validator: Validators.inIgnoreCase('requested', 'required'),
    })
    .define({
      name: 'transaction.boundary',
      type: 'STRING',
      default: 'poll',
      importance: 'MEDIUM',
      group: EXACTLY_ONCE,
      orderInGroup: 3,
      width: 'SHORT',
      displayName: 'Transaction Boundary',
      documentation:
        'With exactly-once: poll commits one transaction per batch the task returns from poll(); interval one every transaction.boundary.interval.ms; connector lets the task commit or abort where it chooses (its TransactionContext), for connectors that declare they can.',
      validator: Validators.inIgnoreCase('poll', 'interval', 'connector'),
    })
    .define({
      name: 'transaction.boundary.interval.ms',
      type: 'LONG',
      default: null,
      importance: 'LOW',
      group: EXACTLY_ONCE,
      orderInGroup: 4,
      width: 'SHORT',
      displayName: 'Transaction boundary interval',
      documentation:
        "With transaction.boundary=interval: how often a transaction is committed; unset, the worker's offset.flush.interval.ms.",
    })
    .define({
      name: 'offsets.storage.topic',
      type: 'STRING',
      default: null,
      importance: 'LOW',
      group: 'offsets.topic', // Connect's SourceConnectorConfig.OFFSETS_TOPIC_GROUP
      orderInGroup: 1,
      width: 'LONG',
      displayName: 'Offsets topic',
      documentation:
        "A separate offsets topic for this connector (KIP-618), created compacted if missing; unset, the worker's offset store. Offsets are written there (with exactly once, in the same transaction as the records) and then copied to the worker's store, and read from there first with the worker's store as fallback. On Kafka only (standalone too); ignored on the embedded log.",
    });
}

/** A connector's `errors.*` settings, parsed by their declarations above (case and defaults as Kafka's). */
export interface ErrorHandlingConfig {
  /** `errors.retry.timeout`: total ms a failing operation is retried; 0 no retry, negative forever. */
  readonly retryTimeoutMs: number;
  /** `errors.retry.delay.max.ms`: the largest delay between two retries. */
  readonly retryDelayMaxMs: number;
  /** `errors.tolerance=all` (any case). */
  readonly toleranceAll: boolean;
  readonly logEnable: boolean;
  readonly logIncludeMessages: boolean;
  /** `errors.deadletterqueue.topic.name`; empty when none. */
  readonly dlqTopic: string;
  readonly dlqContextHeaders: boolean;
}

let errorsDef: ConfigDef | null = null;

/**
 * Parses the `errors.*` keys of a connector config through the same declarations the validate
 * endpoint uses; throws a ConfigError naming each bad key.
 */
export function errorHandlingConfig(props: Readonly<Record<string, string>>): ErrorHandlingConfig {
  if (!errorsDef) {
    errorsDef = new ConfigDef();
    for (const k of sinkConnectorConfigDef().keys()) if (k.group === ERRORS) errorsDef.define(k);
  }
  const p = errorsDef.parse(props);
  return {
    retryTimeoutMs: p.int('errors.retry.timeout'),
    retryDelayMaxMs: p.int('errors.retry.delay.max.ms'),
    toleranceAll: p.string('errors.tolerance').toLowerCase() === 'all',
    logEnable: p.bool('errors.log.enable'),
    logIncludeMessages: p.bool('errors.log.include.messages'),
    dlqTopic: p.string('errors.deadletterqueue.topic.name').trim(),
    dlqContextHeaders: p.bool('errors.deadletterqueue.context.headers.enable'),
  };
}
