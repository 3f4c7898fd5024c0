import type { ConfigKey } from '@tributary/connect-api';

/** Kafka's `ConverterConfig.TYPE_CONFIG`: set by the runtime to say what a converter instance is for. */
export function converterTypeKey(): ConfigKey {
  return {
    name: 'converter.type',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    validValues: ['key', 'value', 'header'],
    documentation: 'How this converter will be used.',
  };
}

export function decodeUtf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
