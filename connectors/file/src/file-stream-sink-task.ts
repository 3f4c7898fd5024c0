import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Struct, type SinkRecord, type SinkTask, type SinkTaskContext } from '@tributary/connect-api';
import { sinkConfigDef } from './config.js';

/**
 * Appends each record's value as a line. One write per batch; `flush` fsyncs, so the offsets the
 * runtime commits after it cover only lines that are on disk.
 */
export class FileStreamSinkTask implements SinkTask {
  private fh: FileHandle | null = null;
  private dirty = false;

  async start(config: Record<string, string>, _ctx: SinkTaskContext): Promise<void> {
    const file = sinkConfigDef.parse(config).optionalString('file');
    if (file) this.fh = await open(resolve(file), 'a');
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    let text = '';
    for (const r of records) text += `${printable(r.value)}\n`;
    if (this.fh) {
      await this.fh.write(text);
      this.dirty = true;
    } else {
      process.stdout.write(text);
    }
  }

  async flush(): Promise<void> {
    if (this.fh && this.dirty) {
      await this.fh.sync();
      this.dirty = false;
    }
  }

  async stop(): Promise<void> {
    await this.flush();
    await this.fh?.close();
    this.fh = null;
  }
}

function printable(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (v instanceof Struct) return JSON.stringify(v.toJSON(), replacer);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (typeof v === 'object') return JSON.stringify(v, replacer);
  return String(v);
}

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Map) return Object.fromEntries(v);
  return v;
}
