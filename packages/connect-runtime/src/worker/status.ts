/** Status states, as Kafka Connect's `AbstractStatus.State`. */
export type State = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED';

export interface Status {
  state: State;
  workerId: string;
  /** The failure, as text, when FAILED. */
  trace?: string;
  /** Auto-restarts made so far (restart/auto-restarter.ts); absent when none. */
  restarts?: number;
  /** When the next auto-restart is due (ms since the epoch), while one is planned. */
  nextRestartAt?: number;
}

/** Receives every status change of connectors and tasks; the herder stores and publishes them. */
export interface StatusListener {
  onConnector(name: string, status: Status): void;
  onTask(connector: string, task: number, status: Status): void;
  /** A task used `topic` (produced to it or consumed from it) for the first time since it started. */
  onTopic?(connector: string, topic: string): void;
}

/** A stack trace for the status, causes included, as Kafka shows the Java trace. */
export function traceOf(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      parts.push(depth === 0 ? (e.stack ?? String(e)) : `Caused by: ${e.stack ?? String(e)}`);
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join('\n');
}
