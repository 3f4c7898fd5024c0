/**
 * A standalone worker on the broker's SASL_SSL listener (test/services kafka: SCRAM-SHA-512, a server
 * certificate from the script's own CA, trusted through ssl.truststore.type=PEM): file source →
 * Kafka → file sink, with Kafka's console consumer reading the same topic over the same listener.
 * With a wrong password or a CA that did not sign the broker's certificate, the worker stays up,
 * its /health and the connector's status name the broker, the mechanism and the reason, and it keeps
 * retrying with backoff.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kafkaInfo, kafkaTool, saslSslSettings, type KafkaInfo } from '../support/kafka-cli.js';
import { appendLines, numberedLine, sinkLines } from '../support/lines.js';
import { ensureService } from '../support/services.js';
import { WorkerProcess, tempDir, waitFor } from '../support/worker-process.js';

const LINES = 20_000;
const run = `${Date.now().toString(36)}-${process.pid}`;

interface Status {
  connector: { state: string; trace?: string };
  tasks: Array<{ id: number; state: string; trace?: string }>;
}
interface Health {
  status: string;
  message: string;
}

function pipeline(dir: string, topic: string) {
  return {
    source: {
      name: 'secured-in',
      config: { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: join(dir, 'in.txt'), topic },
    },
    sink: {
      name: 'secured-out',
      config: { 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: join(dir, 'out.txt'), topics: topic },
    },
  };
}

/** A CA of our own, unrelated to the broker's: a certificate chain it cannot verify. */
function otherCa(dir: string): string {
  const pem = join(dir, 'other-ca.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=Some other CA',
      '-keyout',
      join(dir, 'other-ca.key'),
      '-out',
      pem,
    ],
    { stdio: 'ignore' },
  );
  return pem;
}

describe('standalone worker on the SASL_SSL listener (SCRAM-SHA-512, PEM truststore)', { timeout: 15 * 60_000 }, () => {
  let info: KafkaInfo;
  const workers: WorkerProcess[] = [];
  before(() => {
    ensureService('kafka');
    info = kafkaInfo();
  });
  after(async () => {
    for (const w of workers) await w.kill();
  });

  const securedWorker = async (overrides: { password?: string; ca?: string } = {}, dir?: string) => {
    const w = await WorkerProcess.create(
      { ...saslSslSettings(info, overrides), 'client.id': `e2e-secured-${run}` },
      dir,
    );
    workers.push(w);
    return w;
  };

  it(`moves ${LINES} lines file → Kafka → file over SASL_SSL, in order`, async () => {
    const w = await securedWorker();
    await writeFile(join(w.dir, 'in.txt'), '');
    await w.start();
    const topic = `e2e-secured-${run}`;
    const { source, sink } = pipeline(w.dir, topic);
    assert.equal((await w.request('POST', '/connectors', source)).status, 201);
    assert.equal((await w.request('POST', '/connectors', sink)).status, 201);
    await appendLines(join(w.dir, 'in.txt'), 0, LINES);
    const out = await waitFor(
      'all lines in the sink file',
      async () => {
        const l = await sinkLines(join(w.dir, 'out.txt'));
        return l.length >= LINES ? l : null;
      },
      180_000,
      250,
    );
    assert.equal(out.length, LINES, 'no duplicates without faults');
    for (let i = 0; i < LINES; i++) if (out[i] !== numberedLine(i)) assert.fail(`line ${i} is ${out[i]}`);
    const health = await w.request<Health>('GET', '/health');
    assert.equal(health.status, 200, JSON.stringify(health.body));

    // The same records, read by Kafka's own consumer over the same listener with the same settings.
    const props = join(w.dir, 'java-client.properties');
    const { 'bootstrap.servers': bootstrap, ...security } = saslSslSettings(info);
    await writeFile(
      props,
      Object.entries(security)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );
    const java = await kafkaTool([
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      '--bootstrap-server',
      bootstrap!,
      '--consumer.config',
      props,
      '--topic',
      topic,
      '--from-beginning',
      '--max-messages',
      '3',
      '--timeout-ms',
      '60000',
    ]);
    assert.deepEqual(
      java.split('\n').filter((l) => l !== ''),
      [0, 1, 2].map((i) => numberedLine(i)),
    );
    await w.stop();
  });

  /**
   * Starts a worker that cannot get in, with a source connector, and checks what it tells: /health
   * and the connector status name the broker, the mechanism (`mechanism` unless null) and `reason`;
   * the worker keeps answering REST and retries with backoff (a few attempts in 20 s, not a loop).
   */
  async function refused(w: WorkerProcess, reason: RegExp, mechanism: string | null): Promise<void> {
    await writeFile(join(w.dir, 'in.txt'), 'one\ntwo\n');
    await w.start();
    const { source } = pipeline(w.dir, `e2e-secured-refused-${run}`);
    assert.equal((await w.request('POST', '/connectors', source)).status, 201);
    const names = (text: string) =>
      text.includes(info.sasl_ssl) && (mechanism === null || text.includes(mechanism)) && reason.test(text);

    const health = await waitFor(
      '/health naming the broker, mechanism and reason',
      async () => {
        const h = await w.request<Health>('GET', '/health');
        return h.status !== 200 && names(h.body.message) ? h : null;
      },
      60_000,
      500,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; /health says ${JSON.stringify((await w.request('GET', '/health')).body)}`);
    });
    console.log(`# /health ${health.status}: ${health.body.message}`);

    const status = await waitFor(
      'the connector status naming the broker, mechanism and reason',
      async () => {
        const s = await w.request<Status>('GET', '/connectors/secured-in/status');
        return s.status === 200 && names(JSON.stringify(s.body)) ? s.body : null;
      },
      60_000,
      500,
    ).catch(async (err: Error) => {
      throw new Error(
        `${err.message}; status is ${JSON.stringify((await w.request('GET', '/connectors/secured-in/status')).body)}`,
      );
    });
    console.log(`# connector status: ${JSON.stringify(status).slice(0, 400)}`);

    // Retrying with backoff: the log says so again later, but not in a tight loop.
    const retries = () => w.output.split('\n').filter((l) => l.includes(info.sasl_ssl) && /retry/i.test(l)).length;
    const atStart = retries();
    await new Promise((r) => setTimeout(r, 20_000));
    const more = retries() - atStart;
    console.log(`# ${more} retry messages naming ${info.sasl_ssl} in 20 s`);
    assert.ok(more >= 1, `the worker retries (log: ${w.output.slice(-600)})`);
    assert.ok(more <= 40, `the worker backs off between attempts (${more} retry messages in 20 s)`);
    assert.equal((await w.request('GET', '/connectors')).status, 200, 'REST keeps answering');
    await w.stop();
  }

  it('with a wrong password: /health and the status name the broker, SCRAM-SHA-512 and the failed authentication; retries', async () => {
    const w = await securedWorker({ password: 'not-the-password' });
    await refused(w, /authentication|credentials/i, info.sasl_mechanism);
  });

  it('with a CA that did not sign the broker certificate: /health and the status name the broker and the certificate problem; retries', async () => {
    const dir = await tempDir();
    const w = await securedWorker({ ca: otherCa(dir) }, dir);
    await refused(w, /certificate/i, null);
  });
});
