import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigDef, ConfigError, type SinkConnector, type SourceConnector } from '@tributary/connect-api';
import { PluginRegistry } from '../plugins/registry.js';
import { invalidConfigMessage, validateConnectorConfig } from '../herder/validation.js';
import { clientOverridePolicy, clientOverrides } from './client-overrides.js';
import { WorkerConfig } from './worker-config.js';

const source = {
  name: 's',
  'connector.class': 'TestSource',
  'producer.override.linger.ms': '5',
  'producer.override.sasl.jaas.config': 'x required password="p";',
  'consumer.override.max.poll.records': '10',
  'admin.override.request.timeout.ms': '9000',
};
const sink = {
  name: 'k',
  'connector.class': 'TestSink',
  topics: 't',
  'consumer.override.max.poll.records': '10',
  'producer.override.linger.ms': '5',
};

function registry(): PluginRegistry {
  const base = { version: () => '1', config: () => new ConfigDef(), start() {}, taskConfigs: () => [], stop() {} };
  return new PluginRegistry().register(
    {
      type: 'source',
      class: 'TestSource',
      create: () =>
        ({
          ...base,
          kind: 'source',
          taskClass: () => {
            throw new Error('unused');
          },
        }) as SourceConnector,
    },
    {
      type: 'sink',
      class: 'TestSink',
      create: () =>
        ({
          ...base,
          kind: 'sink',
          taskClass: () => {
            throw new Error('unused');
          },
        }) as SinkConnector,
    },
  );
}

describe('clientOverrides', () => {
  it('strips the prefixes, for the clients a connector of that type uses', () => {
    assert.deepEqual(clientOverrides(source, 'source'), {
      producer: { 'linger.ms': '5', 'sasl.jaas.config': 'x required password="p";' },
      consumer: {},
      admin: {},
    });
    assert.deepEqual(clientOverrides(sink, 'sink'), {
      producer: {},
      consumer: { 'max.poll.records': '10' },
      admin: {},
    });
    const withDlq = clientOverrides(
      { ...sink, 'errors.deadletterqueue.topic.name': 'dlq', 'admin.override.a': '1' },
      'sink',
    );
    assert.deepEqual(withDlq, {
      producer: { 'linger.ms': '5' },
      consumer: { 'max.poll.records': '10' },
      admin: { a: '1' },
    });
  });

  it('refuses, naming each key, what the worker policy does not allow', () => {
    const none = clientOverridePolicy('None');
    assert.throws(
      () => clientOverrides(source, 'source', none),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.problems.map((p) => p.key).sort(), [
          'producer.override.linger.ms',
          'producer.override.sasl.jaas.config',
        ]);
        assert.equal(
          e.problems.find((p) => p.key === 'producer.override.linger.ms')!.message,
          "The 'None' policy does not allow 'linger.ms' to be overridden in the connector configuration.",
        );
        return true;
      },
    );
    assert.deepEqual(clientOverrides({ name: 's', 'connector.class': 'TestSource' }, 'source', none), {
      producer: {},
      consumer: {},
      admin: {},
    });
  });

  it('knows the four policies by alias and by Java class name', () => {
    const principal = clientOverridePolicy(
      'org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy',
    );
    assert.deepEqual(
      ['sasl.jaas.config', 'sasl.mechanism', 'security.protocol', 'linger.ms'].map((k) => principal.isAllowed(k)),
      [true, true, true, false],
    );
    assert.equal(clientOverridePolicy('AllConnectorClientConfigOverridePolicy').isAllowed('anything'), true);
    const allow = clientOverridePolicy('Allowlist', ['linger.ms', ' compression.type']);
    assert.deepEqual(
      ['linger.ms', 'compression.type', 'acks'].map((k) => allow.isAllowed(k)),
      [true, true, false],
    );
    assert.equal(clientOverridePolicy('Allowlist').isAllowed('linger.ms'), false);
    assert.throws(() => clientOverridePolicy('Some'), ConfigError);
  });

  it('reads the policy from the worker config: All by default, a bad name refused at start', () => {
    assert.equal(new WorkerConfig({}).clientOverridePolicy.name, 'All');
    const w = new WorkerConfig({
      'connector.client.config.override.policy': 'Allowlist',
      'connector.client.config.override.allowlist': 'linger.ms',
    });
    assert.equal(w.clientOverridePolicy.isAllowed('linger.ms'), true);
    assert.equal(w.clientOverridePolicy.isAllowed('acks'), false);
    assert.throws(
      () => new WorkerConfig({ 'connector.client.config.override.policy': 'Everything' }),
      (e: unknown) => e instanceof ConfigError && e.problems[0]!.key === 'connector.client.config.override.policy',
    );
  });
});

describe('validateConnectorConfig with client overrides', () => {
  it("reports each refused override of a used client, with Kafka Connect's message, and hides secrets", async () => {
    const infos = await validateConnectorConfig(registry(), source, clientOverridePolicy('Allowlist', ['linger.ms']));
    const entry = (name: string) => infos.configs.find((c) => c.value.name === name);
    assert.equal(infos.error_count, 1);
    assert.deepEqual(entry('producer.override.linger.ms')!.value.errors, []);
    assert.deepEqual(entry('producer.override.sasl.jaas.config')!.value, {
      name: 'producer.override.sasl.jaas.config',
      value: '[hidden]',
      recommended_values: [],
      visible: true,
      errors: [
        "The 'Allowlist' policy does not allow 'sasl.jaas.config' to be overridden in the connector configuration.",
      ],
    });
    assert.equal(entry('producer.override.sasl.jaas.config')!.definition, null);
    assert.equal(entry('consumer.override.max.poll.records'), undefined, 'a source has no consumer: not checked');
    assert.match(
      invalidConfigMessage(infos),
      /\nThe 'Allowlist' policy does not allow 'sasl\.jaas\.config' to be overridden in the connector configuration\.\n/,
    );
  });

  it("allows everything with the default policy, and checks a sink's consumer overrides", async () => {
    assert.equal((await validateConnectorConfig(registry(), source)).error_count, 0);
    const infos = await validateConnectorConfig(registry(), sink, clientOverridePolicy('Principal'));
    assert.deepEqual(
      infos.configs.filter((c) => c.value.errors.length > 0).map((c) => c.value.name),
      ['consumer.override.max.poll.records'],
    );
  });
});
