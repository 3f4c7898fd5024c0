import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { JsonConverter } from './json-converter.js';
import { NO_DEFAULT_CASES, NUMERIC_CASES, SCHEMA_CASES, SCHEMALESS_CASES, type GoldenCase } from './golden-cases.js';

// Fixtures written by Kafka's own JsonConverter (golden/generate.sh); tests run from dist/json/.
const FIXTURES = new URL('../../golden/fixtures/', import.meta.url);

function fixture(group: string, name: string): string {
  return readFileSync(new URL(`${group}/${name}.json`, FIXTURES), 'utf8');
}

function converter(config: Record<string, string>): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, false);
  return c;
}

function text(bytes: Uint8Array | null): string {
  return bytes === null ? '<null>' : Buffer.from(bytes).toString('utf8');
}

const GROUPS: [string, Record<string, string>, GoldenCase[]][] = [
  ['schemas', {}, SCHEMA_CASES],
  ['schemaless', { 'schemas.enable': 'false' }, SCHEMALESS_CASES],
  ['numeric', { 'decimal.format': 'NUMERIC' }, NUMERIC_CASES],
  ['no-default', { 'replace.null.with.default': 'false' }, NO_DEFAULT_CASES],
];

for (const [group, config, cases] of GROUPS) {
  describe(`JsonConverter golden bytes: ${group}`, () => {
    const c = converter(config);
    for (const k of cases) {
      it(`${k.name} equals Kafka's bytes`, () => {
        assert.equal(text(c.fromConnectData('t', k.schema, k.value)), fixture(group, k.name));
      });
      it(`${k.name} reads back to the same bytes`, () => {
        const bytes = Buffer.from(fixture(group, k.name), 'utf8');
        if (k.name === 'tombstone') {
          assert.deepEqual(c.toConnectData('t', null), { schema: null, value: null });
          return;
        }
        const back = c.toConnectData('t', bytes);
        // Schemaless reads cannot know a field was a Struct, a Date or bytes: compare what is recoverable.
        if (group === 'schemaless' && k.schema !== null) return;
        assert.equal(text(c.fromConnectData('t', back.schema, back.value)), bytes.toString('utf8'));
      });
    }
  });
}

describe('JsonConverter errors match Kafka', () => {
  const c = converter({});
  const lines = readFileSync(new URL('errors.tsv', FIXTURES), 'utf8').trimEnd().split('\n');
  for (const line of lines) {
    const [input, message] = line.split('\t') as [string, string];
    it(input, () => {
      assert.throws(() => c.toConnectData('t', Buffer.from(input)), { name: 'DataError', message });
    });
  }
});
