import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConnectError, RetriableError } from '@tributary/connect-api';
import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ProtocolError,
  ResponseError,
  TimeoutError,
} from '@platformatic/kafka';
import { isTransientKafkaError, protocolErrorOf, reasonOf, toLogError } from './errors.js';
import { KafkaSettings, KafkaSettingsError } from './settings.js';

const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="s3cret";';

describe('KafkaSettings', () => {
  it("layers worker keys, producer.*/consumer.*/admin.* and a connector's overrides, per kind of client", () => {
    const s = new KafkaSettings({
      'bootstrap.servers': 'a:9092, b:9092',
      'request.timeout.ms': '1000',
      'producer.compression.type': 'gzip',
      'consumer.max.poll.records': '10',
      'admin.request.timeout.ms': '500',
      'key.converter': 'x',
      'group.id': 'g',
    });
    assert.deepEqual(s.brokers, ['a:9092', 'b:9092']);
    assert.equal(s.props('producer')['compression.type'], 'gzip');
    assert.equal(s.props('producer', { 'compression.type': 'zstd' })['compression.type'], 'zstd');
    assert.equal(s.props('consumer')['compression.type'], undefined);
    assert.equal(s.props('consumer')['max.poll.records'], '10');
    assert.equal(s.connection('producer').requestTimeout, 1000);
    assert.equal(s.connection('admin').requestTimeout, 500);
    assert.equal(s.props('producer')['key.converter'], undefined, 'worker keys that are not client keys stay out');
    assert.equal(s.connection('consumer', undefined, 'connector-consumer-x-0').clientId, 'connector-consumer-x-0');
  });

  it('reads SASL credentials from sasl.jaas.config and turns TLS on for SASL_SSL', () => {
    const c = new KafkaSettings({
      'bootstrap.servers': 'k:9093',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config': SCRAM,
    }).connection('producer');
    assert.deepEqual(c.sasl, { mechanism: 'SCRAM-SHA-512', username: 'connect', password: 's3cret' });
    assert.ok(c.tls);
    assert.equal(c.describe, 'SASL_SSL SCRAM-SHA-512 as connect');
  });

  it('takes PEM trust and key stores from files or inline, and refuses JKS naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
    const fromFile = new KafkaSettings({
      'security.protocol': 'SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': join(dir, 'ca.pem'),
    }).connection('admin');
    assert.match(String(fromFile.tls?.ca), /CA/);
    const inline = new KafkaSettings({
      'security.protocol': 'SSL',
      'ssl.truststore.certificates': 'PEMTEXT',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.certificate.chain': 'CHAIN',
      'ssl.keystore.key': 'KEY',
      'ssl.endpoint.identification.algorithm': '',
    }).connection('admin');
    assert.equal(inline.tls?.ca, 'PEMTEXT');
    assert.equal(inline.tls?.cert, 'CHAIN');
    assert.equal(inline.tls?.key, 'KEY');
    assert.equal(typeof inline.tls?.checkServerIdentity, 'function');
    assert.throws(
      () =>
        new KafkaSettings({
          'security.protocol': 'SSL',
          'ssl.truststore.type': 'JKS',
          'ssl.truststore.location': '/x.jks',
        }),
      (e: unknown) => e instanceof KafkaSettingsError && e.key === 'ssl.truststore.type',
    );
    assert.throws(
      () => new KafkaSettings({ 'security.protocol': 'SSL', 'ssl.truststore.location': join(dir, 'missing.pem') }),
      (e: unknown) => e instanceof KafkaSettingsError && e.key === 'ssl.truststore.location',
    );
  });

  it("builds an unsecured OAUTHBEARER token as Kafka's login module does", async () => {
    const c = new KafkaSettings({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'OAUTHBEARER',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="alice";',
    }).connection('admin');
    const token = await (c.sasl!.token as () => string)();
    const [header, payload, signature] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header!, 'base64url').toString()), { alg: 'none' });
    assert.equal(JSON.parse(Buffer.from(payload!, 'base64url').toString()).sub, 'alice');
    assert.equal(signature, '');
  });

  it('refuses what it cannot honour, naming the key', () => {
    const refused = (props: Record<string, string>, key: string) =>
      assert.throws(
        () => new KafkaSettings(props),
        (e: unknown) => e instanceof KafkaSettingsError && e.key === key,
      );
    refused(
      { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'GSSAPI', 'sasl.jaas.config': SCRAM },
      'sasl.mechanism',
    );
    refused({ 'security.protocol': 'SASL_SSL' }, 'sasl.mechanism');
    refused(
      { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'x required;' },
      'sasl.jaas.config',
    );
    refused({ 'security.protocol': 'TLS' }, 'security.protocol');
    refused({ 'request.timeout.ms': 'soon' }, 'request.timeout.ms');
  });
});

describe('Kafka client errors', () => {
  it('are retriable when they are about reaching the cluster, by code', () => {
    assert.equal(isTransientKafkaError(new NetworkError('Connection refused')), true);
    assert.equal(isTransientKafkaError(new TimeoutError('Request timed out')), true);
    assert.equal(isTransientKafkaError(new AuthenticationError('SASL failed')), true);
    assert.equal(isTransientKafkaError(new ProtocolError('NOT_LEADER_OR_FOLLOWER')), true);
    assert.equal(
      isTransientKafkaError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      true,
    );
    assert.equal(
      isTransientKafkaError(
        new MultipleErrors('metadata failed 3 times.', [new NetworkError('a'), new TimeoutError('b')]),
      ),
      true,
    );
    assert.equal(isTransientKafkaError(new ProtocolError('MESSAGE_TOO_LARGE')), false);
    assert.equal(isTransientKafkaError(new Error('a bug')), false);
  });

  it("name the protocol error and the innermost reason, and wrap into the runtime's errors", () => {
    const refused = new MultipleErrors('metadata failed 3 times.', [
      new ResponseError(36, 2, { '': [58, 'invalid credentials with SASL mechanism SCRAM-SHA-512'] }, {}),
    ]);
    assert.equal(protocolErrorOf(refused), 'SASL_AUTHENTICATION_FAILED');
    assert.match(reasonOf(refused), /invalid credentials with SASL mechanism SCRAM-SHA-512/);
    assert.doesNotMatch(reasonOf(refused), /failed 3 times/);
    const wrapped = toLogError(refused, 'producing to Kafka', ['k:9094'], 'SASL_SSL SCRAM-SHA-512');
    assert.ok(wrapped instanceof RetriableError);
    assert.match(
      wrapped.message,
      /^producing to Kafka failed \(Kafka at k:9094, SASL_SSL SCRAM-SHA-512\): .*invalid credentials/,
    );
    assert.ok(toLogError(new ProtocolError('MESSAGE_TOO_LARGE'), 'producing', ['k:9092']) instanceof ConnectError);
  });
});
