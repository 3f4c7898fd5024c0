import { existsSync } from 'node:fs';
import type { ConfigDef, ConfigValue, ConnectorConfig, SourceConnector } from '@tributary/connect-api';
import { configDef, parseSyslogConfig, VERSION, type Listener } from './config.js';
import { SyslogSourceTask } from './syslog-source-task.js';

/**
 * Receives syslog over UDP, TCP or TLS. Always one task, whatever `tasks.max` says: the task binds
 * the port, and a second one on the same worker could not.
 *
 * `impliedListener` serves jcustenborder's three classes, whose class name chose the protocol: it
 * applies when the config does not set `syslog.listener`.
 */
export class SyslogSourceConnector implements SourceConnector {
  readonly kind = 'source' as const;
  private props: ConnectorConfig = {};

  constructor(private readonly impliedListener: Listener | null = null) {}

  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return configDef;
  }
  taskClass() {
    return SyslogSourceTask;
  }
  /**
   * Not exactly once (KIP-618): syslog senders do not resend over UDP or TCP, so a message received
   * but not committed before a crash cannot be read again; the runtime runs it at least once.
   */
  exactlyOnceSupport(): 'UNSUPPORTED' {
    return 'UNSUPPORTED';
  }

  /** TLS needs both PEM paths, and they must exist on this worker. */
  validate(config: ConnectorConfig, values: ConfigValue[]): ConfigValue[] {
    const listener = (config['syslog.listener'] ?? this.impliedListener ?? 'UDP').toUpperCase();
    if (listener !== 'TCPSSL') return values;
    for (const key of ['syslog.ssl.cert.chain.path', 'syslog.ssl.key.path']) {
      const v = values.find((x) => x.name === key);
      const path = config[key] ?? '';
      if (!v) continue;
      if (path === '') v.errors.push(`${key} is required when syslog.listener is TCPSSL (a PEM file)`);
      else if (!existsSync(path)) v.errors.push(`${key}: no such file ${path} on this worker`);
    }
    return values;
  }

  start(config: ConnectorConfig): void {
    const props = { ...config };
    if (this.impliedListener && props['syslog.listener'] === undefined) props['syslog.listener'] = this.impliedListener;
    parseSyslogConfig(props);
    this.props = props;
  }

  taskConfigs(): Record<string, string>[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  /** Offsets are informational (syslog cannot replay), so any altered value is accepted. */
  alterOffsets(): boolean {
    return true;
  }
}
