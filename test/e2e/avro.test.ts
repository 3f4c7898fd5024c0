import { after, before, describe, it } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Decimal, SchemaBuilder, Schemas, Struct, TimestampType } from '@tributary/connect-api';
import { AvroConverter } from '@tributary/connect-converters';
import { ensureService, SERVICES } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';

/**
 * AvroConverter against the real (Apicurio, Confluent-compatible) registry: one converter instance
 * writes, a separate one reads (as a source and a sink task would), and a second client,
 * @kafkajs/confluent-schema-registry, decodes our bytes to prove the wire format is Confluent's.
 */
describe('AvroConverter with the real schema registry', () => {
  before(() => ensureService('schema-registry'));
  const topic = `avro-e2e-${Date.now()}`;
  const ORDER = SchemaBuilder.struct()
    .name('com.example.Order')
    .field('id', Schemas.INT64)
    .field('customer', Schemas.STRING)
    .field('note', Schemas.OPTIONAL_STRING)
    .field('total', Decimal.schema(2))
    .field('at', TimestampType.SCHEMA)
    .field('lines', SchemaBuilder.array(Schemas.STRING).build())
    .build();
  const order = (i: number) =>
    new Struct(ORDER)
      .put('id', i)
      .put('customer', `c${i % 7}`)
      .put('note', i % 2 ? null : 'gift')
      .put('total', `${i}.50`)
      .put('at', new Date(1_700_000_000_000 + i))
      .put('lines', [`sku-${i}`]);

  it('round-trips records: a writer registers the schema, a fresh reader fetches it by id', async () => {
    const config = { 'schema.registry.url': SERVICES.schemaRegistry };
    const writer = new AvroConverter();
    writer.configure(config, false);
    const keyWriter = new AvroConverter();
    keyWriter.configure(config, true);
    const encoded: Array<{ k: Uint8Array; v: Uint8Array }> = [];
    const started = Date.now();
    for (let i = 0; i < 1000; i++) {
      const value = order(i);
      await writer.prepareFromConnectData(topic, ORDER, value);
      await keyWriter.prepareFromConnectData(topic, Schemas.STRING, `k${i}`);
      encoded.push({
        k: keyWriter.fromConnectData(topic, Schemas.STRING, `k${i}`)!,
        v: writer.fromConnectData(topic, ORDER, value)!,
      });
    }
    console.log(`# 1000 records written as Avro in ${Date.now() - started} ms (2 registry registrations)`);

    const subjects = (await (await fetch(`${SERVICES.schemaRegistry}/subjects`)).json()) as string[];
    assert.ok(
      subjects.includes(`${topic}-value`) && subjects.includes(`${topic}-key`),
      `subjects: ${subjects.join(', ')}`,
    );
    const latest = (await (
      await fetch(`${SERVICES.schemaRegistry}/subjects/${topic}-value/versions/latest`)
    ).json()) as { id: number; schema: string };
    const registered = JSON.parse(latest.schema) as { name: string; 'connect.name': string };
    assert.equal(registered['connect.name'], 'com.example.Order');
    assert.equal(Buffer.from(encoded[0]!.v).readInt32BE(1), latest.id, "the wire id is the registry's id");

    // A new converter with a cold cache, as a sink task on another worker would have.
    const reader = new AvroConverter();
    reader.configure({ 'schema.registry.url': SERVICES.schemaRegistry, 'schemas.cache.config': '10' }, false);
    // (converters to the same registry share their cache within a process, so also check a different URL spelling)
    const cold = new AvroConverter();
    cold.configure({ 'schema.registry.url': `${SERVICES.schemaRegistry}/` }, false);
    for (const [i, { v }] of encoded.entries()) {
      for (const c of [reader, cold]) {
        await c.prepareToConnectData(topic, v);
        const back = c.toConnectData(topic, v);
        const s = back.value as Struct;
        assert.equal(s.get('id'), i);
        assert.equal(s.get('total'), `${i}.50`);
        assert.equal(s.get('note'), i % 2 ? null : 'gift');
        assert.equal((s.get('at') as Date).getTime(), 1_700_000_000_000 + i);
        assert.deepEqual(s.get('lines'), [`sku-${i}`]);
      }
    }
  });

  it('writes bytes another Confluent-format client decodes', async () => {
    const writer = new AvroConverter();
    writer.configure({ 'schema.registry.url': SERVICES.schemaRegistry }, false);
    await writer.prepareFromConnectData(topic, ORDER, order(42));
    const bytes = Buffer.from(writer.fromConnectData(topic, ORDER, order(42))!);
    const other = new SchemaRegistry({ host: SERVICES.schemaRegistry });
    const decoded = (await other.decode(bytes)) as Record<string, unknown>;
    assert.equal(Number(decoded.id), 42);
    assert.equal(decoded.customer, 'c0');
    assert.equal(decoded.note, 'gift');
  });

  it('reports an unknown schema id and an incompatible schema as data errors', async () => {
    const reader = new AvroConverter();
    reader.configure({ 'schema.registry.url': SERVICES.schemaRegistry }, false);
    const bogus = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2]);
    await assert.rejects(
      reader.prepareToConnectData(topic, bogus)!,
      (e: Error) => e.name === 'DataError' && /40[34]/.test(e.message),
    );

    const lookupOnly = new AvroConverter();
    lookupOnly.configure({ 'schema.registry.url': SERVICES.schemaRegistry, 'auto.register.schemas': 'false' }, false);
    const other = SchemaBuilder.struct().name('com.example.Never').field('x', Schemas.INT32).build();
    await assert.rejects(
      lookupOnly.prepareFromConnectData(`${topic}-none`, other, new Struct(other).put('x', 1))!,
      (e: Error) => e.name === 'DataError',
    );
  });
});

/**
 * A source writes Avro, a sink reads it, through a worker. Needs the runtime to await the converters'
 * prepare methods (the first record of a new schema needs a registry call); until the task runners
 * do, the first record fails with a RetriableError, so this is a todo test: it runs and reports.
 */
describe('Avro through a worker: a source writes Avro, a sink reads it', () => {
  before(() => ensureService('schema-registry'));
  let w: WorkerProcess | undefined;
  after(async () => {
    await w?.kill();
  });

  it('moves 1000 lines as Avro strings', async () => {
    w = await WorkerProcess.create({ 'offset.flush.interval.ms': '500' });
    const topic = `avro-lines-${Date.now()}`;
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    await writeFile(join(w.dir, 'in.txt'), lines.join('\n') + '\n');
    await w.start();
    const avro = {
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'value.converter.schema.registry.url': SERVICES.schemaRegistry,
    };
    for (const c of [
      {
        name: 'avro-in',
        config: { 'connector.class': 'FileStreamSource', file: join(w.dir, 'in.txt'), topic, ...avro },
      },
      {
        name: 'avro-out',
        config: { 'connector.class': 'FileStreamSink', file: join(w.dir, 'out.txt'), topics: topic, ...avro },
      },
    ])
      assert.equal((await w.request('POST', '/connectors', c)).status, 201);
    const out = await waitFor(
      '1000 lines through Avro',
      async () => {
        const text = await readFile(join(w!.dir, 'out.txt'), 'utf8').catch(() => '');
        const l = text === '' ? [] : text.slice(0, -1).split('\n');
        return l.length >= 1000 ? l : null;
      },
      30_000,
      250,
    ).catch(async (err: unknown) => {
      for (const n of ['avro-in', 'avro-out'])
        console.log(
          `# ${n}: ${JSON.stringify((await w!.request('GET', `/connectors/${n}/status`)).body).slice(0, 400)}`,
        );
      throw err;
    });
    assert.deepEqual(out, lines);
    const subjects = (await (await fetch(`${SERVICES.schemaRegistry}/subjects`)).json()) as string[];
    assert.ok(subjects.includes(`${topic}-value`));
  });
});
