import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigDef, ConfigError, Validators, configTable } from './index.js';

const def = new ConfigDef()
  .define({ name: 'host', type: 'STRING', importance: 'HIGH', documentation: 'Host.' })
  .define({
    name: 'port',
    type: 'INT',
    default: 5432,
    importance: 'LOW',
    documentation: 'Port.',
    validator: Validators.between(1, 65535),
  })
  .define({ name: 'tables', type: 'LIST', default: '', importance: 'LOW', documentation: 'Tables.' })
  .define({ name: 'secret', type: 'PASSWORD', default: null, importance: 'LOW', documentation: 'Secret.' })
  .define({
    name: 'mode',
    type: 'STRING',
    default: 'a',
    importance: 'LOW',
    documentation: 'Mode.',
    validValues: ['a', 'b'],
  });

describe('ConfigDef', () => {
  it('parses types and applies defaults', () => {
    const c = def.parse({ host: 'h', tables: 'a, b', secret: 's' });
    assert.equal(c.string('host'), 'h');
    assert.equal(c.int('port'), 5432);
    assert.deepEqual(c.list('tables'), ['a', 'b']);
    assert.equal(c.password('secret'), 's');
  });

  it('reports every offending key at once', () => {
    assert.throws(
      () => def.parse({ port: '70000', mode: 'c' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.problems.map((p) => p.key).sort(), ['host', 'mode', 'port']);
        return true;
      },
    );
    const values = def.validate({ port: 'x' });
    assert.match(values.find((v) => v.name === 'port')!.errors[0]!, /Not a number of type INT/);
  });

  it('redacts passwords and generates the README table', () => {
    assert.deepEqual(def.redact({ host: 'h', secret: 's' }), { host: 'h', secret: '[hidden]' });
    const table = configTable(def);
    assert.match(table, /\| `host` \| STRING \| \*required\* \| HIGH \| Host\. \|/);
    assert.match(table, /\| `port` \| INT \| `5432` \|/);
  });
});
