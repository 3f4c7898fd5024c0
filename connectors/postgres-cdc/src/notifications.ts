import { randomUUID } from 'node:crypto';
import { SchemaBuilder, Schemas, Struct, type SourceOffset, type SourceRecord } from '@tributary/connect-api';
import type { SignalConfig } from './signals/signal-config.js';

/** Debezium's SchemaFactory notification key and value (3.x adds `timestamp`). */
const KEY = SchemaBuilder.struct()
  .name('io.debezium.connector.common.NotificationKey')
  .version(1)
  .field('id', Schemas.STRING)
  .build();
const VALUE = SchemaBuilder.struct()
  .name('io.debezium.connector.common.Notification')
  .version(1)
  .field('id', Schemas.STRING)
  .field('type', Schemas.STRING)
  .field('aggregate_type', Schemas.STRING)
  .field('additional_data', SchemaBuilder.map(Schemas.STRING, Schemas.STRING).optional().build())
  .field('timestamp', Schemas.INT64)
  .build();

/** Debezium's aggregate types; `Signal` is ours, for signals we reject (Debezium only logs those). */
export type AggregateType = 'Incremental Snapshot' | 'Initial Snapshot' | 'Signal';

export interface Notification {
  readonly id: string;
  readonly aggregateType: AggregateType;
  readonly type: string;
  readonly additionalData: Readonly<Record<string, string>>;
}

/**
 * Sends Debezium notifications to the enabled channels: `log` (the task's logger) and `sink` (a record on
 * `notification.sink.topic.name`, handed to `emit` with the current source offset so it is ordered with the data).
 */
export class Notifier {
  constructor(
    private readonly cfg: SignalConfig,
    private readonly connectorName: string,
    private readonly log: (msg: string) => void,
    private readonly emit: (build: (offset: SourceOffset) => SourceRecord[]) => void,
    private readonly partition: Record<string, string>,
  ) {}

  /**
   * `offset`: the record's own offset (the initial snapshot's, which has no stream position yet); without it the
   * record is emitted at the stream's current point.
   */
  notify(
    aggregateType: AggregateType,
    type: string,
    additionalData: Record<string, string> = {},
    id: string = randomUUID(),
    offset?: { value: SourceOffset; emit: (records: SourceRecord[]) => void },
  ): void {
    const n: Notification = {
      id,
      aggregateType,
      type,
      additionalData: { ...additionalData, connector_name: this.connectorName },
    };
    if (this.cfg.notificationChannels.has('log'))
      this.log(`Notification ${n.id} (${n.aggregateType} ${n.type}): ${JSON.stringify(n.additionalData)}`);
    const topic = this.cfg.notificationTopic;
    if (!this.cfg.notificationChannels.has('sink') || !topic) return;
    const now = Date.now();
    const build = (sourceOffset: SourceOffset): SourceRecord[] => [
      {
        topic,
        keySchema: KEY,
        key: new Struct(KEY).put('id', n.id),
        valueSchema: VALUE,
        value: new Struct(VALUE)
          .put('id', n.id)
          .put('type', n.type)
          .put('aggregate_type', n.aggregateType)
          .put('additional_data', new Map(Object.entries(n.additionalData)))
          .put('timestamp', now),
        timestamp: now,
        headers: [],
        sourcePartition: this.partition,
        sourceOffset,
      },
    ];
    if (offset) offset.emit(build(offset.value));
    else this.emit(build);
  }
}
