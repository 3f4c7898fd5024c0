import { sleep } from '@tributary/connect-api';
import { RestClient, RestError } from './rest-client.js';

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: Array<{ id: number; state: string; worker_id: string; trace?: string }>;
  type: 'source' | 'sink' | string;
}

export interface PluginInfo {
  class: string;
  type: string;
  version?: string;
}

/** KIP-875's offsets body: `{"offsets": [{"partition": {...}, "offset": {...}}]}`. */
export interface OffsetsBody {
  offsets: Array<{ partition: Record<string, unknown>; offset: Record<string, unknown> | null }>;
}

/** One entry of a validate answer (Kafka Connect's ConfigInfos). */
interface ConfigInfos {
  error_count: number;
  configs: Array<{ definition: { name: string }; value: { name: string; errors: string[] } }>;
}

/** How long a 409 (the cluster is rebalancing, or a request is forwarded to a leader not yet known) is retried. */
const REBALANCE_WAIT_MS = 30_000;

/**
 * One Kafka Connect-compatible cluster (Kafka Connect or Tributary) seen through its REST API only. Calls
 * answered 409 are repeated until REBALANCE_WAIT_MS has passed: Connect answers so while its group rebalances.
 */
export class ConnectCluster {
  private readonly rest: RestClient;

  constructor(
    readonly url: string,
    auth?: string,
    private readonly rebalanceWaitMs = REBALANCE_WAIT_MS,
  ) {
    this.rest = new RestClient(url, auth);
  }

  /** `done` tells a 409 that means the request took effect (e.g. the connector exists) from a rebalance. */
  private async call<T>(method: string, path: string, body?: unknown, done?: () => Promise<boolean>): Promise<T> {
    const until = Date.now() + this.rebalanceWaitMs;
    for (;;) {
      try {
        return (await this.rest.call<T>(method, path, body)).body;
      } catch (e) {
        if (!(e instanceof RestError) || e.status !== 409) throw e;
        if (done && (await done())) return undefined as T;
        if (Date.now() > until) throw e;
        await sleep(500);
      }
    }
  }

  /** `GET /`: fails when the cluster cannot be reached. */
  info(): Promise<{ version: string; commit?: string; kafka_cluster_id?: string }> {
    return this.call('GET', '/');
  }

  names(): Promise<string[]> {
    return this.call('GET', '/connectors');
  }

  plugins(): Promise<PluginInfo[]> {
    return this.call('GET', '/connector-plugins?connectorsOnly=true');
  }

  /** The connector's config, or null when the cluster has no such connector. */
  async config(name: string): Promise<Record<string, string> | null> {
    return this.orNull(() => this.call('GET', `/connectors/${encodeURIComponent(name)}/config`));
  }

  /** The connector's status, or null when the cluster has no such connector. */
  async status(name: string): Promise<ConnectorStatus | null> {
    return this.orNull(() => this.call('GET', `/connectors/${encodeURIComponent(name)}/status`));
  }

  /** The keys of `config` the plugin declares, and the errors it reports (PUT .../config/validate). */
  async validate(cls: string, config: Record<string, string>): Promise<{ declared: Set<string>; errors: string[] }> {
    const body = await this.call<ConfigInfos>(
      'PUT',
      `/connector-plugins/${encodeURIComponent(cls)}/config/validate`,
      config,
    );
    const declared = new Set(body.configs.map((c) => c.definition.name));
    const errors = body.configs.flatMap((c) => c.value.errors.map((e) => `${c.value.name}: ${e}`));
    return { declared, errors };
  }

  async createStopped(name: string, config: Record<string, string>): Promise<void> {
    // 409 is also Connect's answer when it exists: an earlier attempt whose answer was lost created it.
    await this.call('POST', '/connectors', { name, config, initial_state: 'STOPPED' }, async () => {
      return (await this.status(name)) !== null;
    });
  }

  async stop(name: string): Promise<void> {
    await this.call('PUT', `/connectors/${encodeURIComponent(name)}/stop`);
  }

  async resume(name: string): Promise<void> {
    await this.call('PUT', `/connectors/${encodeURIComponent(name)}/resume`);
  }

  async remove(name: string): Promise<void> {
    await this.orNull(() => this.call('DELETE', `/connectors/${encodeURIComponent(name)}`));
  }

  offsets(name: string): Promise<OffsetsBody> {
    return this.call('GET', `/connectors/${encodeURIComponent(name)}/offsets`);
  }

  async alterOffsets(name: string, body: OffsetsBody): Promise<void> {
    await this.call('PATCH', `/connectors/${encodeURIComponent(name)}/offsets`, body);
  }

  private async orNull<T>(f: () => Promise<T>): Promise<T | null> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof RestError && e.status === 404) return null;
      throw e;
    }
  }
}

/** What a move needs of a cluster (a unit test gives a fake). */
export type Cluster = Pick<
  ConnectCluster,
  'url' | 'config' | 'status' | 'validate' | 'createStopped' | 'stop' | 'resume' | 'remove' | 'offsets' | 'alterOffsets'
>;
