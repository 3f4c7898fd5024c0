import type { OffsetsBody } from './cluster.js';

/** `adopt`: from Kafka Connect to Tributary; `handback`: from Tributary to Kafka Connect. */
export type Direction = 'adopt' | 'handback';

/** How a connector's source offsets change on the way, and a line saying so for the plan. */
export interface OffsetTranslation {
  readonly note: string;
  translate(body: OffsetsBody): OffsetsBody;
}

const SPOOLDIR = 'com.github.jcustenborder.kafka.connect.spooldir.';
const SPOOLDIR_ALIASES = new Set(['spooldir-csv', 'spooldir-json', 'spooldir-line', 'spooldir-schemaless-json']);

const same = (note: string): OffsetTranslation => ({ note, translate: (b) => b });

/**
 * The translation for `connectorClass` in `direction`. Only spooldir's offsets differ from the Java
 * connector's (see connectors/spooldir/README.md): on the way in the task itself reads the Java
 * `{"offset": n}`; on the way back each offset becomes the `javaOffset` our task stored beside its own.
 * Debezium's PostgreSQL offsets are read as Debezium's WalPositionLocator reads them, and ours carry its
 * keys; FileStream offsets are the same; sinks resume from their consumer group, which both clusters share.
 */
export function offsetTranslation(connectorClass: string, direction: Direction): OffsetTranslation {
  if (connectorClass.startsWith(SPOOLDIR) || SPOOLDIR_ALIASES.has(connectorClass)) {
    if (direction === 'adopt') return same('spooldir: Java line/record offsets, read by the task as Java resumes');
    return {
      note: 'spooldir: offsets rewritten to the Java line/record count (javaOffset)',
      translate: (b) => ({
        offsets: b.offsets.map(({ partition, offset }) => ({
          partition,
          offset: offset && typeof offset.javaOffset === 'number' ? { offset: offset.javaOffset } : offset,
        })),
      }),
    };
  }
  if (connectorClass === 'io.debezium.connector.postgresql.PostgresConnector')
    return same('Debezium offsets copied as they are (lsn_proc/lsn_commit resume with no replay)');
  return same('offsets copied as they are');
}
