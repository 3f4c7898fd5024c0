import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigDef, type SourceConnector } from '@tributary/connect-api';
import { PluginRegistry } from '../plugins/registry.js';
import { validateConnectorConfig } from './validation.js';

/** A source connector that defines transaction boundaries when its config says `boundaries=yes`. */
function registry(): PluginRegistry {
  return new PluginRegistry().register({
    type: 'source',
    class: 'BoundarySource',
    create: () =>
      ({
        kind: 'source',
        version: () => '1',
        config: () => new ConfigDef(),
        start() {},
        taskConfigs: () => [],
        stop() {},
        taskClass: () => {
          throw new Error('unused');
        },
        exactlyOnceSupport: () => 'SUPPORTED',
        canDefineTransactionBoundaries: (c: Record<string, string>) =>
          c.boundaries === 'yes' ? 'SUPPORTED' : 'UNSUPPORTED',
      }) as SourceConnector,
  });
}

const errorsOf = async (config: Record<string, string>, enabled = true) =>
  (
    await validateConnectorConfig(
      registry(),
      { 'connector.class': 'BoundarySource', name: 'b', ...config },
      undefined,
      enabled,
    )
  ).configs
    .filter((c) => c.value.name === 'transaction.boundary')
    .flatMap((c) => c.value.errors);

describe('transaction.boundary=connector validation (KIP-618)', () => {
  it('accepts it from a connector that defines its boundaries', async () => {
    assert.deepEqual(await errorsOf({ 'transaction.boundary': 'connector', boundaries: 'yes' }), []);
  });

  it("refuses it, with Connect's message, from a connector that cannot", async () => {
    const errors = await errorsOf({ 'transaction.boundary': 'connector', boundaries: 'no' });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^The connector does not support connector-defined transaction boundaries/);
  });

  it('leaves it alone on a worker without exactly-once support, as Connect does', async () => {
    assert.deepEqual(await errorsOf({ 'transaction.boundary': 'connector', boundaries: 'no' }, false), []);
  });
});
