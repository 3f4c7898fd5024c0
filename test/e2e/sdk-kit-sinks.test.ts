// The SDK's conformance kit run by the bundled sinks against their real servers (test/services).
import { sinkTaskSuite } from '@tributary/connect-api/testing';
import { CassandraSinkConnector } from '@tributary/connector-cassandra-sink';
import { ElasticsearchSinkConnector } from '@tributary/connector-elasticsearch-sink';
import { S3SinkConnector } from '@tributary/connector-s3-sink';
import { ensureService, SERVICES } from '../support/services.js';
import { count, deleteIndices } from './elasticsearch/fixtures.js';
import { cqlClient } from './cassandra/helpers.js';
import { freshBucket, jsonLines, listKeys, s3Props } from './s3/s3-helpers.js';

ensureService('elasticsearch', 's3', 'cassandra');
const unique = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;

sinkTaskSuite('ElasticsearchSink', {
  connector: () => new ElasticsearchSinkConnector(),
  setup: () => {
    const topic = unique('kit_es');
    return {
      config: {
        'connector.class': 'ElasticsearchSink',
        topics: topic,
        'connection.url': SERVICES.elasticsearch,
        'key.ignore': 'false',
      },
      stored: async () => Array.from({ length: await count(topic, true).catch(() => 0) }),
      teardown: () => deleteIndices(topic),
    };
  },
  redelivery: 'idempotent ids: the document id is the record key (or topic+partition+offset with key.ignore)',
});

sinkTaskSuite('S3Sink', {
  connector: () => new S3SinkConnector(),
  setup: async () => {
    const bucket = await freshBucket('kit-s3');
    return {
      config: {
        'connector.class': 'S3Sink',
        topics: 'kit',
        ...s3Props(bucket),
        'flush.size': '5',
        'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
        'storage.class': 'io.confluent.connect.s3.storage.S3Storage',
      },
      stored: async () => (await Promise.all((await listKeys(bucket)).map((k) => jsonLines(bucket, k)))).flat(),
    };
  },
  redelivery: 'deterministic object names: topic+partition+first offset, so a rewrite replaces the same object',
});

sinkTaskSuite('CassandraSink', {
  connector: () => new CassandraSinkConnector(),
  setup: async () => {
    const table = unique('kit');
    const cql = cqlClient();
    await cql.execute(
      "CREATE KEYSPACE IF NOT EXISTS tributary_kit WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}",
    );
    await cql.execute(`CREATE TABLE tributary_kit.${table} (id bigint PRIMARY KEY, name text)`);
    return {
      config: {
        'connector.class': 'CassandraSink',
        topics: 'kit',
        contactPoints: SERVICES.cassandra.host,
        port: String(SERVICES.cassandra.port),
        'loadBalancing.localDc': 'datacenter1',
        [`topic.kit.tributary_kit.${table}.mapping`]: 'id=value.id, name=value.name',
      },
      stored: async () => (await cql.execute(`SELECT id FROM tributary_kit.${table}`)).rows,
      teardown: async () => {
        await cql.execute(`DROP TABLE IF EXISTS tributary_kit.${table}`);
        await cql.shutdown();
      },
    };
  },
  redelivery: 'upserts: rows are keyed by their primary key',
});
