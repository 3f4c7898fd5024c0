import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { ConnectorConfig } from '../config.js';
import type { SourceConnector } from '../connector.js';
import type { SourceRecord } from '../records.js';
import type { SourceTask } from '../task.js';
import { fakeSourceTaskContext, MemoryOffsetStore, type FakeSourceTaskContext } from './contexts.js';
import { checkRequiredKeys, expectContract, firstTaskConfig, within } from './contract.js';

/** The external system prepared for one check, and how to reach it. */
export interface SourceFixture {
  /** A connector config, exactly as POSTed to the REST API, reading the prepared input. */
  config: ConnectorConfig;
  /**
   * Makes input appear for a started task, for sources that listen rather than read (a socket); called
   * after each `start()`. Sources that read stored input prepare it in `setup` instead.
   */
  feed?: (task: { ctx: FakeSourceTaskContext }) => Promise<void>;
  /** Removes what `setup` made. */
  teardown?: () => Promise<void>;
}

export interface SourceSuiteOptions {
  /** A fresh connector instance. */
  connector: () => SourceConnector;
  /** Prepares the input (at least `records` records' worth) and returns the fixture; called once per check. */
  setup: () => SourceFixture | Promise<SourceFixture>;
  /** How many records the prepared input yields at least (default 4). */
  records?: number;
  /** How long to poll for them (default 15000 ms). */
  pollTimeoutMs?: number;
  /** How soon `stop()` and a pending `poll()` must return once the task is stopped (default 2000 ms). */
  stopWithinMs?: number;
  /**
   * How long a task restarted after `commit()` is polled for committed records coming back (default
   * 1000 ms); a source that reads local input at once can shorten it.
   */
  rereadWindowMs?: number;
  /** Checks that do not apply, each with the reason (e.g. `{ resume: 'datagrams are not replayable' }`). */
  skip?: { resume?: string };
}

/** A started task with its context. */
interface Running {
  task: SourceTask;
  ctx: FakeSourceTaskContext;
}

async function startTask(o: SourceSuiteOptions, f: SourceFixture, offsets: MemoryOffsetStore): Promise<Running> {
  const connector = o.connector();
  const taskConfig = await firstTaskConfig(connector, f.config);
  const task = new (connector.taskClass())();
  const ctx = fakeSourceTaskContext({ connector: 'kit', connectorConfig: f.config, offsets });
  await task.start(taskConfig, ctx);
  await f.feed?.({ ctx });
  return { task, ctx };
}

async function stopTask(r: Running): Promise<void> {
  r.ctx.abort();
  await r.task.stop();
}

/** Polls until `n` records (errant ones included) arrived or `timeoutMs` passed. */
async function pollFor(task: SourceTask, n: number, timeoutMs: number): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n && Date.now() < deadline) out.push(...((await task.poll()) ?? []));
  return out;
}

/** The same position of the same input (values may carry the time they were read, as Debezium's `ts_ms`). */
const sameRecord = (a: SourceRecord, b: SourceRecord) =>
  isDeepStrictEqual([a.sourcePartition, a.sourceOffset, a.key], [b.sourcePartition, b.sourceOffset, b.key]);
const show = (r: SourceRecord | undefined) =>
  r ? JSON.stringify({ partition: r.sourcePartition, offset: r.sourceOffset }) : 'nothing';

/** What the runtime does for records the log acknowledged: `commitRecord` in order, store offsets, `commit()`. */
async function acknowledge(r: Running, records: SourceRecord[]): Promise<void> {
  for (const [i, rec] of records.entries()) {
    await r.task.commitRecord?.(rec, { topic: rec.topic, partition: 0, offset: i, timestamp: Date.now() });
  }
  r.ctx.offsets.commit(records);
  await r.task.commit?.();
}

/**
 * The conformance checks for a source connector, as `node:test` cases: call it at the top level of a
 * test file. Each check prepares its own input with `setup`.
 */
export function sourceTaskSuite(name: string, o: SourceSuiteOptions): void {
  const n = o.records ?? 4;
  const pollMs = o.pollTimeoutMs ?? 15_000;
  const stopMs = o.stopWithinMs ?? 2_000;
  const withFixture = (fn: (f: SourceFixture) => Promise<void>) => async () => {
    const f = await o.setup();
    try {
      await fn(f);
    } finally {
      await f.teardown?.();
    }
  };

  describe(`${name}: source connector conformance`, () => {
    it(
      'starts with no stored offsets and reads the input',
      withFixture(async (f) => {
        const r = await startTask(o, f, new MemoryOffsetStore());
        try {
          const got = await pollFor(r.task, n, pollMs);
          expectContract(
            got.length >= n,
            'start with no offsets reads from the beginning',
            () => `${got.length} records within ${pollMs} ms, the suite expects at least ${n}`,
            'return records from poll() once started (or lower `records` to what setup prepares)',
          );
          for (const rec of got) {
            expectContract(
              rec.sourcePartition && rec.sourceOffset,
              'records carry their position',
              () => `a record without sourcePartition/sourceOffset: ${show(rec)}`,
              'set sourcePartition and sourceOffset on every record',
            );
          }
        } finally {
          await stopTask(r);
        }
      }),
    );

    it(
      'resumes exactly after the last committed record',
      { skip: o.skip?.resume },
      withFixture(async (f) => {
        const first = await startTask(o, f, new MemoryOffsetStore());
        let read: SourceRecord[];
        const offsets = new MemoryOffsetStore();
        try {
          read = (await pollFor(first.task, n, pollMs)).filter((rec) => !rec.errant);
          expectContract(
            read.length >= 2,
            'resume',
            () => `only ${read.length} records to commit`,
            'prepare at least two records in setup',
          );
          const k = Math.floor(read.length / 2);
          await acknowledge(first, read.slice(0, k));
          for (const [p, off] of first.ctx.offsets.entries()) offsets.set(p, off);
          read = read.slice(k);
        } finally {
          await stopTask(first);
        }

        const second = await startTask(o, f, offsets);
        try {
          const again = await pollFor(second.task, 1, pollMs);
          expectContract(
            again.length > 0,
            'resume',
            () => `a task started with stored offsets ${JSON.stringify(offsets.entries())} read nothing`,
            'read ctx.offsetStorageReader in start() and continue after the stored offset, not after the end of the input',
          );
          const want = read.find((rec) => isDeepStrictEqual(rec.sourcePartition, again[0]!.sourcePartition));
          expectContract(
            want && sameRecord(again[0]!, want),
            'resume exactly after the last committed record',
            () =>
              `after committing up to ${JSON.stringify(offsets.entries())} the next task first returned ${show(again[0])}, the first uncommitted record is ${show(want)}`,
            'in start(), read ctx.offsetStorageReader.offset(partition) and continue with the record right after that offset: no gap, no repeat',
          );
        } finally {
          await stopTask(second);
        }
      }),
    );

    it(
      'returns promptly from stop() during a pending poll()',
      withFixture(async (f) => {
        const r = await startTask(o, f, new MemoryOffsetStore());
        let stopped = false;
        try {
          await pollFor(r.task, n, pollMs);
          const idleBy = Date.now() + pollMs; // read the input to its end, so that the next poll() waits for more
          while (Date.now() < idleBy && ((await r.task.poll()) ?? []).length > 0);
          const pending = r.task.poll();
          await new Promise((res) => setTimeout(res, 20));
          r.ctx.abort();
          await within(
            Promise.resolve(r.task.stop()),
            stopMs,
            'stop() during poll()',
            'stop()',
            'do not wait in stop() for a poll() to finish; let ctx.signal end waits (sleep(ms, ctx.signal))',
          );
          stopped = true;
          await within(
            pending,
            stopMs,
            'stop() during poll()',
            'a poll() in flight when the task was stopped',
            'pass ctx.signal to every wait inside poll() (sockets, queries, sleep(ms, ctx.signal)) and return an empty batch when it aborts',
          );
        } finally {
          if (!stopped) await stopTask(r);
        }
      }),
    );

    it(
      'takes commitRecord() in order then commit(), and resumes after the committed records',
      withFixture(async (f) => {
        const r = await startTask(o, f, new MemoryOffsetStore());
        let read: SourceRecord[] = [];
        try {
          read = await pollFor(r.task, n, pollMs);
          await acknowledge(r, read);
        } finally {
          await stopTask(r);
        }
        if (o.skip?.resume) return;
        const offsets = new MemoryOffsetStore(r.ctx.offsets.entries());
        const next = await startTask(o, f, offsets);
        try {
          const again = await pollFor(next.task, 1, o.rereadWindowMs ?? 1_000);
          const repeated = again.find((rec) => read.some((old) => sameRecord(old, rec)));
          expectContract(
            !repeated,
            'commit() confirms the position',
            () => `a record committed before was read again: ${show(repeated)}`,
            'after commit(), a task started with the stored offsets must not return the committed records again',
          );
        } finally {
          await stopTask(next);
        }
      }),
    );

    it(
      'refuses a config without a required key, naming the key',
      withFixture(async (f) => {
        await checkRequiredKeys(o.connector, f.config);
      }),
    );
  });
}
