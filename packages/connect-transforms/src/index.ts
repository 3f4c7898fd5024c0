/**
 * Single-message transforms and predicates under Kafka's (and Debezium's) class names: every SMT of
 * `org.apache.kafka.connect.transforms` with its `$Key`/`$Value` variants, the three predicates,
 * Debezium's ExtractNewRecordState and outbox EventRouter, and Tributary's FieldValueMatches predicate.
 */
import type { PluginDescriptor, Predicate, Transformation } from '@tributary/connect-api';
import { Cast } from './cast.js';
import { ExtractNewRecordState } from './debezium/extract-new-record-state.js';
import { EventRouter } from './debezium/outbox-event-router.js';
import { DropHeaders } from './drop-headers.js';
import { ExtractField } from './extract-field.js';
import { Filter } from './filter.js';
import { Flatten } from './flatten.js';
import { HeaderFrom } from './header-from.js';
import { HoistField } from './hoist-field.js';
import { InsertField } from './insert-field.js';
import { InsertHeader } from './insert-header.js';
import { MaskField } from './mask-field.js';
import { FieldValueMatches } from './predicates/field-value-matches.js';
import { HasHeaderKey } from './predicates/has-header-key.js';
import { RecordIsTombstone } from './predicates/record-is-tombstone.js';
import { TopicNameMatches } from './predicates/topic-name-matches.js';
import { RegexRouter } from './regex-router.js';
import { ReplaceField } from './replace-field.js';
import { SetSchemaMetadata } from './set-schema-metadata.js';
import { TimestampConverter } from './timestamp-converter.js';
import { TimestampRouter } from './timestamp-router.js';
import { KAFKA_TRANSFORMS, keyValuePlugins } from './util/key-value.js';
import { ValueToKey } from './value-to-key.js';

export { Cast } from './cast.js';
export { ExtractNewRecordState } from './debezium/extract-new-record-state.js';
export { EventRouter } from './debezium/outbox-event-router.js';
export { DropHeaders } from './drop-headers.js';
export { ExtractField } from './extract-field.js';
export { Filter } from './filter.js';
export { Flatten } from './flatten.js';
export { HeaderFrom } from './header-from.js';
export { HoistField } from './hoist-field.js';
export { InsertField } from './insert-field.js';
export { InsertHeader } from './insert-header.js';
export { MaskField } from './mask-field.js';
export { FieldValueMatches } from './predicates/field-value-matches.js';
export { HasHeaderKey } from './predicates/has-header-key.js';
export { RecordIsTombstone } from './predicates/record-is-tombstone.js';
export { TopicNameMatches } from './predicates/topic-name-matches.js';
export { RegexRouter } from './regex-router.js';
export { ReplaceField } from './replace-field.js';
export { SetSchemaMetadata } from './set-schema-metadata.js';
export { TimestampConverter } from './timestamp-converter.js';
export { TimestampRouter } from './timestamp-router.js';
export { ValueToKey } from './value-to-key.js';
export { SimpleDateFormat } from './util/simple-date-format.js';
export type { Operand } from './util/operand.js';

const PREDICATES = 'org.apache.kafka.connect.transforms.predicates.';

function single(name: string, create: () => Transformation): PluginDescriptor {
  return { type: 'transformation', class: `${KAFKA_TRANSFORMS}${name}`, aliases: [name], create };
}

function predicate(name: string, create: () => Predicate): PluginDescriptor {
  return { type: 'predicate', class: `${PREDICATES}${name}`, aliases: [name], create };
}

export const plugins: PluginDescriptor[] = [
  ...keyValuePlugins('InsertField', (op) => new InsertField(op)),
  ...keyValuePlugins('ReplaceField', (op) => new ReplaceField(op)),
  ...keyValuePlugins('MaskField', (op) => new MaskField(op)),
  ...keyValuePlugins('ExtractField', (op) => new ExtractField(op)),
  ...keyValuePlugins('HoistField', (op) => new HoistField(op)),
  ...keyValuePlugins('Cast', (op) => new Cast(op)),
  ...keyValuePlugins('TimestampConverter', (op) => new TimestampConverter(op)),
  ...keyValuePlugins('Flatten', (op) => new Flatten(op)),
  ...keyValuePlugins('SetSchemaMetadata', (op) => new SetSchemaMetadata(op)),
  ...keyValuePlugins('HeaderFrom', (op) => new HeaderFrom(op)),
  single('ValueToKey', () => new ValueToKey()),
  single('TimestampRouter', () => new TimestampRouter()),
  single('RegexRouter', () => new RegexRouter()),
  single('Filter', () => new Filter()),
  single('InsertHeader', () => new InsertHeader()),
  single('DropHeaders', () => new DropHeaders()),
  predicate('TopicNameMatches', () => new TopicNameMatches()),
  predicate('HasHeaderKey', () => new HasHeaderKey()),
  predicate('RecordIsTombstone', () => new RecordIsTombstone()),
  {
    type: 'transformation',
    class: 'io.debezium.transforms.ExtractNewRecordState',
    aliases: ['io.debezium.transforms.UnwrapFromEnvelope', 'ExtractNewRecordState', 'UnwrapFromEnvelope'],
    create: () => new ExtractNewRecordState(),
  },
  {
    type: 'transformation',
    class: 'io.debezium.transforms.outbox.EventRouter',
    aliases: ['EventRouter'],
    create: () => new EventRouter(),
  },
  {
    type: 'predicate',
    class: 'io.tributary.transforms.predicates.FieldValueMatches',
    aliases: ['FieldValueMatches'],
    create: () => new FieldValueMatches(),
  },
];
