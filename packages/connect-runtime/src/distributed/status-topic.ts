import type { Logger } from '../logging.js';
import type { Log, Producer } from '../log/log.js';
import type { StatusBook } from '../herder/status-book.js';
import type { Status, StatusListener } from '../worker/status.js';
import { jsonBytes, jsonValue, keyText, textBytes, TopicReader } from './topic-reader.js';

interface StatusValue {
  state: Status['state'];
  trace: string | null;
  worker_id: string;
  generation: number;
  /** Ours, not Kafka Connect's (which ignores unknown fields): auto-restarts made and the next one due. */
  restarts?: number;
  next_restart_at?: number;
}

/**
 * Statuses in the status topic, in Kafka Connect's format: `status-connector-<name>` and
 * `status-task-<name>-<n>` → {"state","trace","worker_id","generation"}. Local changes are written
 * there; every worker applies what it reads to its StatusBook, so any worker answers status reads.
 */
export class StatusTopic implements StatusListener {
  private readonly reader: TopicReader;
  private producer: Producer | null = null;
  generation = 0;

  constructor(
    private readonly log: Log,
    readonly topic: string,
    private readonly book: StatusBook,
    private readonly logger: Logger,
  ) {
    this.reader = new TopicReader(
      log,
      topic,
      (r) => {
        const key = keyText(r);
        const v = jsonValue(r) as StatusValue | null;
        let m: RegExpExecArray | null;
        if ((m = /^status-connector-(.+)$/.exec(key))) {
          if (v === null) book.forget(m[1]!);
          else book.onConnector(m[1]!, toStatus(v));
        } else if ((m = /^status-task-(.+)-(\d+)$/.exec(key))) {
          if (v === null) book.forgetTask(m[1]!, Number(m[2]));
          else book.onTask(m[1]!, Number(m[2]), toStatus(v));
        }
      },
      logger,
    );
  }

  async start(): Promise<void> {
    this.producer = this.log.producer();
    await this.reader.start();
  }

  onConnector(name: string, status: Status): void {
    this.book.onConnector(name, status);
    this.write(`status-connector-${name}`, status);
  }

  onTask(connector: string, task: number, status: Status): void {
    this.book.onTask(connector, task, status);
    this.write(`status-task-${connector}-${task}`, status);
  }

  onTopic(connector: string, topic: string): void {
    this.book.onTopic(connector, topic);
  }

  /** Tombstones for a deleted connector's statuses. */
  async forget(connector: string, tasks: number): Promise<void> {
    const keys = [
      `status-connector-${connector}`,
      ...Array.from({ length: tasks }, (_, i) => `status-task-${connector}-${i}`),
    ];
    await this.producer!.send(keys.map((k) => ({ topic: this.topic, key: textBytes(k), value: null })));
  }

  async stop(): Promise<void> {
    await this.reader.stop();
    await this.producer?.close();
  }

  private write(key: string, s: Status): void {
    const value: StatusValue = {
      state: s.state,
      trace: s.trace ?? null,
      worker_id: s.workerId,
      generation: this.generation,
      ...(s.restarts ? { restarts: s.restarts } : {}),
      ...(s.nextRestartAt ? { next_restart_at: s.nextRestartAt } : {}),
    };
    this.producer?.send([{ topic: this.topic, key: textBytes(key), value: jsonBytes(value) }]).catch((err: unknown) => {
      this.logger.warn({ err, key }, 'could not write a status; other workers may show a stale state');
    });
  }
}

function toStatus(v: StatusValue): Status {
  return {
    state: v.state,
    workerId: v.worker_id,
    ...(v.trace ? { trace: v.trace } : {}),
    ...(v.restarts ? { restarts: v.restarts } : {}),
    ...(v.next_restart_at ? { nextRestartAt: v.next_restart_at } : {}),
  };
}
