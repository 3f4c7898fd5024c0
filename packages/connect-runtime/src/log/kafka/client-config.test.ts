import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompressionTypes } from 'kafkajs';
import { kafkaClientSettings } from './client-config.js';
import { fromKafkaHeaders, toKafkaHeaders } from './headers.js';
import { isTransientKafkaError, toLogError } from './errors.js';
import { RetriableError } from '@tributary/connect-api';

describe('kafkaClientSettings', () => {
  it('maps producer.*, consumer.* and admin.* keys that kafkajs has, and reports the others', () => {
    const s = kafkaClientSettings({
      'bootstrap.servers': 'k:9092',
      'producer.compression.type': 'gzip',
      'producer.max.in.flight.requests.per.connection': '10',
      'producer.linger.ms': '5',
      'consumer.session.timeout.ms': '10000',
      'consumer.max.poll.interval.ms': '300000',
      'consumer.max.partition.fetch.bytes': '2097152',
      'consumer.isolation.level': 'read_committed',
      'admin.retries': '3',
      'admin.request.timeout.ms': '1000',
    });
    assert.equal(s.producerConfig.compression, CompressionTypes.GZIP);
    assert.equal(s.producerConfig.maxInFlightRequests, 5, 'capped for the idempotent producer');
    assert.deepEqual(s.consumerConfig, { sessionTimeout: 10000, rebalanceTimeout: 300000, maxBytesPerPartition: 2097152, readUncommitted: false });
    assert.deepEqual(s.adminConfig, { retry: { retries: 3 } });
    assert.deepEqual(s.ignored.sort(), ['admin.request.timeout.ms', 'producer.linger.ms']);
  });

  it('reads SASL credentials from sasl.jaas.config', () => {
    const s = kafkaClientSettings({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="s3cret";',
    });
    assert.equal(s.clientConfig.ssl, true);
    assert.deepEqual(s.clientConfig.sasl, { mechanism: 'scram-sha-512', username: 'connect', password: 's3cret' });
  });

  it('rejects values it cannot honour', () => {
    assert.throws(() => kafkaClientSettings({ 'producer.compression.type': 'brotli' }), /producer.compression.type/);
    assert.throws(() => kafkaClientSettings({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'GSSAPI', 'sasl.jaas.config': 'x required username="a" password="b";' }), /GSSAPI/);
  });
});

describe('kafka headers', () => {
  it('round-trips repeated names in order (grouped by name) and null as empty', () => {
    const h = toKafkaHeaders([{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: null }, { key: 'a', value: Buffer.from('2') }]);
    assert.deepEqual(
      fromKafkaHeaders(h).map((x) => [x.key, x.value && Buffer.from(x.value).toString()]),
      [['a', '1'], ['a', '2'], ['b', '']],
    );
    assert.equal(toKafkaHeaders([]), undefined);
  });
});

describe('kafka errors', () => {
  it('treats connection errors and exhausted retries on them as retriable', () => {
    const conn = Object.assign(new Error('Connection error: ECONNREFUSED'), { name: 'KafkaJSConnectionError', retriable: true });
    const exhausted = Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, originalError: conn });
    assert.equal(isTransientKafkaError(exhausted), true);
    const err = toLogError(exhausted, 'producing', ['127.0.0.1:9092']);
    assert.ok(err instanceof RetriableError);
    assert.match(err.message, /127\.0\.0\.1:9092/);
    const fatal = Object.assign(new Error('bad'), { name: 'KafkaJSNonRetriableError', retriable: false });
    assert.equal(toLogError(fatal, 'x', ['b']).constructor.name, 'ConnectError');
  });
});
