import { DataError, Struct, type ParsedConfig, type SinkRecord } from '@tributary/connect-api';
import { PARTITIONER_CLASSES } from '../config.js';
import { fieldValue, floorToBucket, pathFormatter, timestampExtractor, type TimestampExtractor } from './time.js';

/**
 * Chooses the directory (the "encoded partition") of a record, as storage-common's partitioners.
 * `deterministic` tells whether a replay of the same records yields the same directories.
 */
export interface Partitioner {
  encodePartition(record: SinkRecord): string;
  /** The record time that rotate.interval.ms compares. */
  readonly timestamp: TimestampExtractor;
  readonly deterministic: boolean;
}

const DAILY = "'year'=YYYY/'month'=MM/'day'=dd";
const HOURLY = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH";

export function createPartitioner(c: ParsedConfig): Partitioner {
  const delim = c.string('directory.delim');
  const recordTime: TimestampExtractor = (r) => r.timestamp ?? 0;
  switch (PARTITIONER_CLASSES[c.string('partitioner.class')]) {
    case 'field': {
      const fields = c.list('partition.field.name').map((f) => ({ f, path: f.split('.') }));
      return {
        deterministic: true,
        timestamp: recordTime,
        encodePartition(r) {
          const one = ({ f, path }: { f: string; path: string[] }): string => {
            const v = fieldValue(r.value, path);
            if (v === undefined) {
              throw new DataError(
                `Record at ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset} has no field "${f}" for FieldPartitioner (partition.field.name).`,
              );
            }
            if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
              throw new DataError(
                `Field "${f}" of the record at ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset} is ${v instanceof Struct ? 'a struct' : 'not a primitive'}; FieldPartitioner needs primitive values.`,
              );
            }
            return `${f}=${v instanceof Date ? v.getTime() : String(v)}`;
          };
          return fields.length === 1 ? one(fields[0]!) : fields.map(one).join(delim);
        },
      };
    }
    case 'time':
    case 'daily':
    case 'hourly': {
      const kind = PARTITIONER_CLASSES[c.string('partitioner.class')];
      const format = kind === 'daily' ? DAILY : kind === 'hourly' ? HOURLY : c.string('path.format');
      const duration = kind === 'daily' ? 86_400_000 : kind === 'hourly' ? 3_600_000 : c.int('partition.duration.ms');
      const tz = c.string('timezone');
      const fmt = pathFormatter(format.replaceAll('/', delim), c.string('locale'), tz);
      const extractor = c.string('timestamp.extractor');
      const ts = timestampExtractor(extractor, c.string('timestamp.field'));
      return {
        deterministic: extractor !== 'Wallclock',
        timestamp: ts,
        encodePartition: (r) => fmt(floorToBucket(ts(r), duration, tz)),
      };
    }
    default:
      return { deterministic: true, timestamp: recordTime, encodePartition: (r) => `partition=${r.kafkaPartition}` };
  }
}
