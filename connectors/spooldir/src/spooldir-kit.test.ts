import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceTaskSuite } from '@tributary/connect-api/testing';
import { SpoolDirCsvSourceConnector, SpoolDirLineDelimitedSourceConnector } from './spooldir-source-connector.js';

/** input, finished and error folders with one settled file in the input folder. */
async function spool(file: string, body: string, config: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'spooldir-kit-'));
  for (const d of ['in', 'done', 'err']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'in', file), body);
  const past = new Date(Date.now() - 60_000);
  await utimes(join(dir, 'in', file), past, past); // settled: not being written any more
  return {
    config: {
      topic: 'spool',
      'input.path': join(dir, 'in'),
      'finished.path': join(dir, 'done'),
      'error.path': join(dir, 'err'),
      'empty.poll.wait.ms': '50',
      ...config,
    },
    teardown: () => rm(dir, { recursive: true, force: true }),
  };
}

sourceTaskSuite('SpoolDirCsvSource', {
  connector: () => new SpoolDirCsvSourceConnector(),
  setup: () =>
    spool('orders.csv', 'id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n6,f\n', {
      'connector.class': 'SpoolDirCsvSourceConnector',
      'input.file.pattern': '.*\\.csv',
      'csv.first.row.as.header': 'true',
      'schema.generation.enabled': 'true',
    }),
  records: 6,
  rereadWindowMs: 300, // local files: a task rereads at once
});

sourceTaskSuite('SpoolDirLineDelimitedSource', {
  connector: () => new SpoolDirLineDelimitedSourceConnector(),
  setup: () =>
    spool('app.log', 'one\ntwo\nthree\nfour\nfive\n', {
      'connector.class': 'SpoolDirLineDelimitedSourceConnector',
      'input.file.pattern': '.*\\.log',
    }),
  records: 5,
  rereadWindowMs: 300, // local files: a task rereads at once
});
