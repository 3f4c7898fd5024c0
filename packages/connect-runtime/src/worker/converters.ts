import type { Converter, HeaderConverter } from '@tributary/connect-api';
import type { PluginRegistry } from '../plugins/registry.js';
import { subConfig } from './transform-chain.js';

export interface ConverterSet {
  key: Converter;
  value: Converter;
  header: HeaderConverter;
}

/**
 * The converters of one task: the connector's `key.converter`/`value.converter`/`header.converter`
 * with their `…converter.*` settings when it sets them, else the worker's, as Kafka Connect does.
 */
export function buildConverters(
  registry: PluginRegistry,
  worker: Readonly<Record<string, string>>,
  connector: Readonly<Record<string, string>>,
): ConverterSet {
  const pick = (key: string) => (connector[key] ? connector : worker);
  const make = (key: 'key.converter' | 'value.converter'): Converter => {
    const src = pick(key);
    const c = registry.resolve(src[key]!, ['converter'], key).create();
    c.configure(subConfig(src, `${key}.`), key === 'key.converter');
    return c;
  };
  const hsrc = pick('header.converter');
  const headerName = hsrc['header.converter'] ?? 'org.apache.kafka.connect.storage.SimpleHeaderConverter';
  const header = registry.resolve(headerName, ['header_converter'], 'header.converter').create();
  header.configure(subConfig(hsrc, 'header.converter.'));
  return { key: make('key.converter'), value: make('value.converter'), header };
}
