#!/usr/bin/env node
// 1M source records through five common SMTs + JsonConverter (schemas.enable=true), in process, beside
// the same records through JsonConverter alone. Prints records per CPU second and what the chain costs in %.
// Run with Node 24 (node_modules/.bin/node): Node 20 is several times slower at object spread.
//   node bench/transforms.mjs [records]        (build first: npx tsc -b packages/connect-transforms packages/connect-converters)
import { loadavg } from 'node:os';
import { Schemas, SchemaBuilder, Struct } from '@tributary/connect-api';
import { JsonConverter } from '@tributary/connect-converters';
import { plugins } from '@tributary/connect-transforms';
import { table } from './lib.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

// A typical order row: ten fields of the common types.
const ORDER = SchemaBuilder.struct()
  .name('shop.Order')
  .field('id', Schemas.INT64)
  .field('cust_id', Schemas.INT32)
  .field('status', Schemas.STRING)
  .field('amount', Schemas.STRING)
  .field('qty', Schemas.INT32)
  .field('created_ms', Schemas.INT64)
  .field('note', Schemas.OPTIONAL_STRING)
  .field('internal', Schemas.OPTIONAL_STRING)
  .field('paid', Schemas.BOOLEAN)
  .field('region', Schemas.STRING)
  .build();
const STATUSES = ['NEW', 'PAID', 'SHIPPED', 'DONE'];
const PARTITION = { table: 'orders' };

/** What a source's poll() would hand over: a fresh record with a fresh Struct. */
function record(i) {
  const v = new Struct(ORDER)
    .put('id', i)
    .put('cust_id', i % 10_000)
    .put('status', STATUSES[i & 3])
    .put('amount', `${(i % 1000) + 0.25}`)
    .put('qty', i % 7)
    .put('created_ms', 1_700_000_000_000 + i)
    .put('note', i % 3 ? null : 'gift wrap')
    .put('internal', 'x')
    .put('paid', (i & 1) === 0)
    .put('region', 'eu-west');
  return {
    topic: 'orders',
    kafkaPartition: null,
    keySchema: null,
    key: null,
    valueSchema: ORDER,
    value: v,
    timestamp: 1_700_000_000_000,
    headers: [],
    sourcePartition: PARTITION,
    sourceOffset: { id: i },
  };
}

function transform(cls, config) {
  const p = plugins.find((d) => d.class === cls);
  if (!p) throw new Error(`no transform ${cls}`);
  const t = p.create();
  t.configure(config);
  return t;
}

const T = 'org.apache.kafka.connect.transforms.';
const CHAIN = [
  [
    'InsertField$Value',
    transform(`${T}InsertField$Value`, { 'static.field': 'source', 'static.value': 'shop-db', 'topic.field': 'topic' }),
  ],
  ['ReplaceField$Value', transform(`${T}ReplaceField$Value`, { exclude: 'internal', renames: 'cust_id:customerId' })],
  ['Cast$Value', transform(`${T}Cast$Value`, { spec: process.env.CAST_SPEC ?? 'amount:float64,qty:int64' })],
  [
    'TimestampConverter$Value',
    transform(`${T}TimestampConverter$Value`, { field: 'created_ms', 'target.type': 'Timestamp' }),
  ],
  ['RegexRouter', transform(`${T}RegexRouter`, { regex: '(.*)', replacement: 'prod-$1' })],
];

const STEPS = CHAIN.map(([, t]) => t);
const converter = new JsonConverter();
converter.configure({ 'schemas.enable': 'true' }, false);

/** Records [from, to) through the pipeline; returns the CPU time it took this process, in µs. */
function run(withChain, from, to) {
  const cpu = process.cpuUsage();
  for (let i = from; i < to; i++) {
    let r = record(i);
    if (withChain) for (let s = 0; s < STEPS.length && r !== null; s++) r = STEPS[s].apply(r); // as the runtime's TransformChain
    if (r === null) continue;
    converter.fromConnectData(r.topic, r.valueSchema, r.value);
  }
  const d = process.cpuUsage(cpu);
  return d.user + d.system;
}

// Show the output once so the chain is seen to do its work.
{
  let r = record(3);
  for (const [, t] of CHAIN) r = t.apply(r);
  console.log(
    `one record after the chain → topic ${r.topic}: ${Buffer.from(
      converter.fromConnectData(r.topic, r.valueSchema, r.value),
    )
      .toString()
      .slice(0, 400)}…`,
  );
}

// The machine is shared: CPU time of this process (not wall time) is the measure, and the two
// pipelines alternate in chunks so both see the same conditions. Best of ROUNDS full passes each.
const CHUNK = 50_000;
run(true, 0, 200_000);
run(false, 0, 200_000); // warm up both paths
const best = { plain: 0, chain: 0 };
for (let round = 0; round < ROUNDS; round++) {
  const cpu = { plain: 0, chain: 0 };
  for (let from = 0; from < N; from += CHUNK) {
    const to = Math.min(N, from + CHUNK);
    cpu.plain += run(false, from, to);
    cpu.chain += run(true, from, to);
  }
  best.plain = Math.max(best.plain, N / (cpu.plain / 1e6));
  best.chain = Math.max(best.chain, N / (cpu.chain / 1e6));
}
const cost = (1 - best.chain / best.plain) * 100;
console.log(
  `\n${N} records, best of ${ROUNDS} rounds, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${(await import('node:os')).cpus().length} cores`,
);
console.log(
  table([
    ['pipeline', 'records/s (per CPU second)', 'vs no transforms'],
    ['record → JsonConverter (schemas.enable)', Math.round(best.plain).toLocaleString('en'), '1.00'],
    [
      `record → ${CHAIN.map(([n]) => n).join(' → ')} → JsonConverter`,
      Math.round(best.chain).toLocaleString('en'),
      (best.chain / best.plain).toFixed(2),
    ],
  ]),
);
console.log(`chain cost: ${cost.toFixed(1)}% of throughput (aim: under 30%)`);
