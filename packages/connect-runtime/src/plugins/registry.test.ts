import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, type PluginDescriptor } from '@tributary/connect-api';
import { PluginRegistry } from './registry.js';

const stub = (cls: string, type: 'source' | 'sink', aliases: string[] = []): PluginDescriptor =>
  ({ type, class: cls, aliases, create: () => ({}) as never }) as PluginDescriptor;

describe('PluginRegistry', () => {
  const r = new PluginRegistry().register(
    stub('org.apache.kafka.connect.file.FileStreamSourceConnector', 'source', ['FileStreamSource']),
    stub('org.apache.kafka.connect.file.FileStreamSinkConnector', 'sink', ['FileStreamSink']),
  );

  it('resolves class names, aliases and names without the Connector suffix', () => {
    assert.equal(r.find('FileStreamSource')?.type, 'source');
    assert.equal(r.find('FileStreamSinkConnector')?.type, 'sink');
    assert.equal(r.find('org.apache.kafka.connect.file.FileStreamSink')?.type, 'sink');
  });

  it('names the closest known plugins for an unknown class', () => {
    assert.throws(
      () => r.resolve('FileStreamSorce', ['source', 'sink']),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /FileStreamSorce/);
        assert.match(e.message, /Did you mean: .*FileStreamSource/);
        return true;
      },
    );
  });

  it('refuses two plugins claiming one name', () => {
    assert.throws(
      () => new PluginRegistry().register(stub('a.X', 'source', ['X']), stub('b.X', 'source', ['X'])),
      /claimed/,
    );
  });
});
