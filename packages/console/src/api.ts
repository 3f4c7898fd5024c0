/** Calls to the worker's REST API. Every action of the console is one of these. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text === '' ? null : safeJson(text);
  if (!res.ok) {
    const message = (json as { message?: string } | null)?.message ?? `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, message, json);
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const get = <T>(path: string) => api<T>('GET', path);
export const enc = encodeURIComponent;

export type State = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING' | 'STOPPED';

export interface TaskStatus {
  id: number;
  state: State;
  worker_id: string;
  trace?: string;
  restarts?: number;
  next_restart_at?: string;
}

export interface ConnectorStatus {
  name: string;
  connector: { state: State; worker_id: string; trace?: string; restarts?: number; next_restart_at?: string };
  tasks: TaskStatus[];
  type: 'source' | 'sink' | 'unknown';
}

export interface ConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  display_name: string;
  order: number;
}

export interface ConfigInfos {
  name: string;
  error_count: number;
  configs: Array<{
    definition: ConfigKeyInfo | null;
    value: { name: string; value: string | null; errors: string[]; recommended_values: string[] };
  }>;
}

export interface BytesView {
  text?: string;
  hex?: string;
  size: number;
  truncated: boolean;
}

export interface RecordView {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: BytesView | null;
  value: BytesView | null;
  headers: Array<{ key: string; value: BytesView | null }>;
}

export interface Sample {
  at: number;
  connectors: Record<string, { in: number; out: number; lag?: number; dlq?: number }>;
}

export interface MetricsReply {
  every_ms: number;
  samples: Sample[];
  tasks: Array<{
    connector: string;
    task: number;
    polled: number;
    written: number;
    latency: Record<string, { count: number; p50_ms: number | null; p99_ms: number | null }>;
  }>;
}
