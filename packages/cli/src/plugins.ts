import type { PluginDescriptor } from '@tributary/connect-api';
import { plugins as cassandraSink } from '@tributary/connector-cassandra-sink';
import { plugins as elasticsearchSink } from '@tributary/connector-elasticsearch-sink';
import { plugins as file } from '@tributary/connector-file';
import { plugins as postgresCdc } from '@tributary/connector-postgres-cdc';
import { plugins as s3Sink } from '@tributary/connector-s3-sink';
import { plugins as spooldir } from '@tributary/connector-spooldir';
import { plugins as syslog } from '@tributary/connector-syslog';

/** Every connector shipped with the `tributary` distribution (converters and transforms are in the runtime). */
export const builtinPlugins: PluginDescriptor[] = [
  ...file,
  ...spooldir,
  ...syslog,
  ...postgresCdc,
  ...elasticsearchSink,
  ...cassandraSink,
  ...s3Sink,
];
