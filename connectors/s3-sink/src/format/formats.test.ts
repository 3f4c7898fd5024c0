import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import avro from 'avsc';
import { Decimal, SchemaBuilder, Struct, type SinkRecord } from '@tributary/connect-api';
import { avroFormat } from './avro-format.js';
import type { Format } from './format.js';
import { byteArrayFormat, jsonFormat } from './json-format.js';

const schema = SchemaBuilder.struct()
  .name('t.Row')
  .field('id', SchemaBuilder.int64().build())
  .field('price', Decimal.schema(2))
  .field('note', SchemaBuilder.string().optional().build())
  .build();
const rec = (
  i: number,
  value: unknown = new Struct(schema)
    .put('id', i)
    .put('price', `${i}.50`)
    .put('note', i % 2 ? null : `n${i}`),
): SinkRecord => ({
  topic: 't',
  kafkaPartition: 0,
  kafkaOffset: i,
  key: null,
  valueSchema: value instanceof Struct ? schema : null,
  value,
  headers: [],
  originalTopic: 't',
  originalKafkaPartition: 0,
  originalKafkaOffset: i,
});

async function encode(format: Format, records: SinkRecord[], key = 'k', flushEvery = 1): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const w = format.writer((c) => chunks.push(c), key, records[0]?.valueSchema);
  for (let i = 0; i < records.length; i++) {
    await w.write(records[i]!);
    if (i % flushEvery === 0) await w.flush();
  }
  await w.finish();
  return Buffer.concat(chunks);
}

describe('formats', () => {
  it('Avro: a container file avsc reads, byte-identical however the records were batched', async () => {
    const records = Array.from({ length: 3000 }, (_, i) => rec(i));
    const a = await encode(avroFormat('null'), records, 'k', 1);
    const b = await encode(avroFormat('null'), records, 'k', 997);
    assert.ok(a.equals(b));
    const rows: Record<string, unknown>[] = [];
    const dec = new avro.streams.BlockDecoder();
    dec.on('data', (r: Record<string, unknown>) => rows.push(r));
    await new Promise((res, rej) => {
      dec.on('end', res).on('error', rej);
      Readable.from([a]).pipe(dec);
    });
    assert.equal(rows.length, 3000);
    assert.equal(rows[2]!.id, 2);
    assert.equal(rows[2]!.note, 'n2');
    assert.equal(rows[3]!.note, null);
    assert.equal(Decimal.toText(rows[2]!.price as Buffer, 2), '2.50');
  });

  it('JSON: one JSON value per line as JsonConverter writes it (decimals base64 or NUMERIC); gzip output independent of batching', async () => {
    const plain = (await encode(jsonFormat(null, false), [rec(1)])).toString();
    assert.equal(
      plain,
      `{"id":1,"price":"${Buffer.from(Decimal.fromText('1.50', 2)).toString('base64')}","note":null}\n`,
    );
    assert.equal((await encode(jsonFormat(null, true), [rec(2)])).toString(), '{"id":2,"price":2.50,"note":"n2"}\n');
    const many = Array.from({ length: 5000 }, (_, i) => rec(i, { i, s: 'x'.repeat(i % 50) }));
    const g1 = await encode(jsonFormat(-1, false), many, 'k', 1);
    const g2 = await encode(jsonFormat(-1, false), many, 'k', 1234);
    assert.ok(g1.equals(g2));
    assert.equal(gunzipSync(g1).toString().split('\n').length, 5001);
  });

  it('JSON: records of every size (multi-byte text at buffer edges, larger than a buffer) come out whole and in order', async () => {
    // Two- and three-byte UTF-8 characters; Kafka writes characters beyond the BMP as \u escapes, so they never reach
    // the buffers raw.
    const values = Array.from({ length: 3000 }, (_, i) => ({
      i,
      s: (i % 7 === 0 ? 'é€☃' : 'x').repeat((i * 37) % 900),
      ...(i === 1500 ? { big: 'y'.repeat(200_000) } : {}),
    }));
    const expected = values.map((v) => `${JSON.stringify(v)}\n`).join('');
    const records = values.map((v, i) => rec(i, v));
    for (const flushEvery of [1, 333, 100_000]) {
      assert.equal((await encode(jsonFormat(null, false), records, 'k', flushEvery)).toString(), expected);
      assert.equal(gunzipSync(await encode(jsonFormat(6, false), records, 'k', flushEvery)).toString(), expected);
    }
  });

  it('JSON: schemaless values that are not plain JSON are converted as JsonConverter writes them', async () => {
    const value = {
      n: 1n << 60n,
      b: Uint8Array.from([1, 2]),
      d: new Date(5),
      m: new Map([[1, 'a']]),
      u: undefined,
      a: [undefined],
    };
    assert.equal(
      (await encode(jsonFormat(null, false), [rec(0, value)])).toString(),
      '{"n":1152921504606846976,"b":"AQI=","d":5,"m":[[1,"a"]],"u":null,"a":[null]}\n',
    );
  });

  it("JSON: numbers as Kafka's JsonConverter writes them (FLOAT32 0.4, whole FLOAT64 60.0, 1.0E21)", async () => {
    const s = SchemaBuilder.struct()
      .field('f', SchemaBuilder.float32().build())
      .field('d', SchemaBuilder.float64().build())
      .build();
    const r = rec(0, new Struct(s).put('f', 0.4).put('d', 60));
    assert.equal(
      (await encode(jsonFormat(null, false), [{ ...r, valueSchema: s }])).toString(),
      '{"f":0.4,"d":60.0}\n',
    );
    assert.equal(
      (await encode(jsonFormat(null, false), [rec(1, { d: 1e21, e: 1e-5 })])).toString(),
      '{"d":1.0E21,"e":1.0E-5}\n',
    );
  });

  it('ByteArray: raw bytes (strings as UTF-8) plus the separator', async () => {
    const out = await encode(byteArrayFormat(null, '.bin', '|'), [rec(0, Uint8Array.from([1, 2])), rec(1, 'é')]);
    assert.deepEqual([...out], [1, 2, 0x7c, 0xc3, 0xa9, 0x7c]);
  });
});
