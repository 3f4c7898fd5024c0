import { readJsonFile, writeFileAtomic } from './atomic-file.js';

export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

/** What is stored for one connector: its config (placeholders unresolved) and target state. */
export interface StoredConnector {
  config: Record<string, string>;
  targetState: TargetState;
}

/** Durable connector configs and target states. */
export interface ConfigStore {
  start(): Promise<Map<string, StoredConnector>>;
  put(name: string, entry: StoredConnector): Promise<void>;
  remove(name: string): Promise<void>;
  stop(): Promise<void>;
}

interface ConfigFile {
  version: 1;
  connectors: Record<string, StoredConnector>;
}

/**
 * Standalone connector configs, kept in a JSON file next to the offsets so that connectors created
 * over REST come back after a restart (Kafka's standalone mode forgets them; we do not).
 */
export class FileConfigStore implements ConfigStore {
  private data = new Map<string, StoredConnector>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async start(): Promise<Map<string, StoredConnector>> {
    const file = await readJsonFile<ConfigFile>(this.path, { version: 1, connectors: {} });
    this.data = new Map(Object.entries(file.connectors));
    return new Map(this.data);
  }

  async put(name: string, entry: StoredConnector): Promise<void> {
    this.data.set(name, entry);
    await this.save();
  }

  async remove(name: string): Promise<void> {
    this.data.delete(name);
    await this.save();
  }

  async stop(): Promise<void> {
    await this.writing;
  }

  private async save(): Promise<void> {
    const text = JSON.stringify(
      { version: 1, connectors: Object.fromEntries(this.data) } satisfies ConfigFile,
      null,
      1,
    );
    this.writing = this.writing.then(() => writeFileAtomic(this.path, text));
    await this.writing;
  }
}
