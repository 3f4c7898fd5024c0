import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, taskSnapshots, WorkerMetrics } from './metrics.js';

describe('WorkerMetrics latency', () => {
  it('records latency histograms per task and stage, on /metrics and as p50/p99 for the console', async () => {
    const m = new WorkerMetrics();
    const t = m.forTask('orders', 0);
    const now = Date.now();
    t.written(100);
    // 98 records 2 ms old, 2 records 3 s old, in batches of 10 (each observed whole); the 25 ms bucket
    // leaves room for a busy machine.
    const times = [...Array.from({ length: 98 }, () => now - 2), now - 3000, now - 3000];
    for (let i = 0; i < 100; i += 10) t.latency('put', times.slice(i, i + 10), (x) => x);
    const text = await m.registry.metrics();
    assert.match(text, /tributary_sink_record_put_latency_seconds_bucket\{le="0.025",connector="orders",task="0"\} 98/);
    assert.match(text, /tributary_sink_record_put_latency_seconds_count\{connector="orders",task="0"\} 100/);
    const [snap] = await taskSnapshots(m);
    assert.equal(snap!.written, 100);
    const put = snap!.latency.put!;
    assert.equal(put.count, 100);
    const p50 = quantile(put.buckets, put.count, 0.5)!;
    const p99 = quantile(put.buckets, put.count, 0.99)!;
    assert.ok(p50 > 0 && p50 <= 0.025, `p50 ${p50}`);
    assert.ok(p99 > 2.5 && p99 <= 5, `p99 ${p99}`);
    assert.equal(quantile([], 0, 0.5), null);
  });

  it('a big batch adds an even sample of its records', async () => {
    const m = new WorkerMetrics();
    const now = Date.now();
    m.forTask('big', 0).latency(
      'ack',
      Array.from({ length: 1000 }, (_, i) => now - i),
      (x) => x,
    );
    const [snap] = await taskSnapshots(m);
    assert.equal(snap!.latency.ack!.count, 16);
  });

  it('counts auto-restarts and shows the next one due', async () => {
    const m = new WorkerMetrics();
    m.nextAutoRestart('orders', 1, 1_700_000_000_000);
    m.autoRestarted('orders', 1);
    let text = await m.registry.metrics();
    assert.match(text, /tributary_auto_restarts_total\{connector="orders",task="1"\} 1/);
    assert.match(text, /tributary_auto_restart_next_timestamp_seconds\{connector="orders",task="1"\} 1700000000/);
    m.nextAutoRestart('orders', 1, null);
    text = await m.registry.metrics();
    assert.doesNotMatch(text, /tributary_auto_restart_next_timestamp_seconds\{/);
  });
});
