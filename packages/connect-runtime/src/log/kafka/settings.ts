/**
 * The one path from a worker's Kafka settings — Kafka Connect's keys, as a user writes them for the
 * Java worker — to the options of every Kafka client the worker opens: the log's producers,
 * consumers and admin client, the group membership of distributed mode and the internal topics.
 *
 * Layering, as in Kafka Connect: the worker's unprefixed client keys (bootstrap, security, timeouts)
 * apply to every client; `producer.*`, `consumer.*` and `admin.*` override them for that kind of
 * client; a connector's KIP-458 overrides (`producer.override.*` …, passed in with the prefix
 * removed) override both for that connector's clients.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import type { ClientOverrides } from '../log.js';

export type ClientKind = 'producer' | 'consumer' | 'admin';

/** Unprefixed worker keys that every client takes. */
const COMMON =
  /^(bootstrap\.servers|client\.id|security\.protocol|sasl\..+|ssl\..+|request\.timeout\.ms|socket\.connection\.setup\.timeout\.ms|metadata\.max\.age\.ms|retry\.backoff\.ms|retry\.backoff\.max\.ms|client\.rack)$/;

export class KafkaSettingsError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

/** The options shared by every client of one kind, resolved from Kafka's keys. */
export interface ConnectionSettings {
  readonly brokers: string[];
  readonly clientId: string;
  readonly tls?: TlsOptions;
  readonly sasl?: SASLOptions;
  readonly connectTimeout: number;
  readonly requestTimeout: number;
  readonly metadataMaxAge?: number;
  /** What a log line or status message says about how we connect (no secrets). */
  readonly describe: string;
}

export class KafkaSettings {
  private readonly common: Record<string, string> = {};
  private readonly byKind: Record<ClientKind, Record<string, string>> = { producer: {}, consumer: {}, admin: {} };

  /** `props`: the worker's properties. Throws KafkaSettingsError naming the key on a bad value. */
  constructor(
    props: Readonly<Record<string, string>>,
    readonly defaultClientId = 'tributary',
  ) {
    for (const [key, value] of Object.entries(props)) {
      if (COMMON.test(key)) this.common[key] = value;
      const dot = key.indexOf('.');
      const prefix = key.slice(0, dot) as ClientKind;
      if (prefix in this.byKind) this.byKind[prefix][key.slice(dot + 1)] = value;
    }
    // Fail at start, not at the first connection, on settings that can never work.
    for (const kind of Object.keys(this.byKind) as ClientKind[]) this.connection(kind);
  }

  get brokers(): string[] {
    return list(this.common['bootstrap.servers'] ?? '');
  }

  /** Kafka's keys in force for one client: common < `<kind>.*` < the connector's overrides. */
  props(kind: ClientKind, overrides?: ClientOverrides): Record<string, string> {
    return { ...this.common, ...this.byKind[kind], ...overrides };
  }

  /** Connection options (brokers, TLS, SASL, timeouts) for one client. */
  connection(kind: ClientKind, overrides?: ClientOverrides, clientId?: string): ConnectionSettings {
    return connectionSettings(this.props(kind, overrides), clientId ?? this.defaultClientId);
  }
}

export function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function intSetting(props: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const v = props[key];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new KafkaSettingsError(key, `expected a number, got "${v}"`);
  return n;
}

export function connectionSettings(
  props: Readonly<Record<string, string>>,
  fallbackClientId: string,
): ConnectionSettings {
  const brokers = list(props['bootstrap.servers'] ?? '');
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new KafkaSettingsError(
      'security.protocol',
      `"${props['security.protocol']}" is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`,
    );
  }
  const tls = protocol.endsWith('SSL') ? tlsOptions(props) : undefined;
  const sasl = protocol.startsWith('SASL') ? saslOptions(props) : undefined;
  const describe = `${protocol}${sasl ? ` ${sasl.mechanism}${typeof sasl.username === 'string' ? ` as ${sasl.username}` : ''}` : ''}`;
  return {
    brokers,
    tls,
    sasl,
    describe,
    clientId: props['client.id'] || fallbackClientId,
    connectTimeout: intSetting(props, 'socket.connection.setup.timeout.ms', 10_000),
    requestTimeout: intSetting(props, 'request.timeout.ms', 30_000),
    metadataMaxAge: props['metadata.max.age.ms'] ? intSetting(props, 'metadata.max.age.ms', 300_000) : undefined,
  };
}

/** Trust and identity in PEM form, as Kafka's `ssl.truststore.type=PEM` / `ssl.keystore.type=PEM`. */
function tlsOptions(props: Readonly<Record<string, string>>): TlsOptions {
  const out: TlsOptions = {};
  const ca = pem(props, 'truststore', 'ssl.truststore.certificates');
  if (ca) out.ca = ca;
  const chain = pem(props, 'keystore', 'ssl.keystore.certificate.chain');
  if (chain) {
    out.cert = chain;
    // A keystore file holds the key and the chain; inline, the key has a key of its own.
    out.key = props['ssl.keystore.key'] ?? chain;
    const pass = props['ssl.key.password'] ?? props['ssl.keystore.password'];
    if (pass) out.passphrase = pass;
  }
  // Kafka's default is "https" (verify the host name); an empty value turns the check off.
  if (props['ssl.endpoint.identification.algorithm'] === '') out.checkServerIdentity = () => undefined;
  return out;
}

/** PEM text of a trust or key store: inline (`inlineKey`) or read from `ssl.<store>.location`. */
function pem(
  props: Readonly<Record<string, string>>,
  store: 'truststore' | 'keystore',
  inlineKey: string,
): string | undefined {
  const typeKey = `ssl.${store}.type`;
  const locationKey = `ssl.${store}.location`;
  const inline = props[inlineKey];
  const location = props[locationKey];
  if (!inline && !location) return undefined;
  if ((props[typeKey] ?? 'PEM').toUpperCase() !== 'PEM') {
    throw new KafkaSettingsError(
      typeKey,
      `"${props[typeKey]}" is not supported: give the certificates in PEM form (${typeKey}=PEM)`,
    );
  }
  if (inline) return inline;
  try {
    return readFileSync(location!, 'utf8');
  } catch (err) {
    throw new KafkaSettingsError(locationKey, `cannot read ${location}: ${(err as Error).message}`);
  }
}

const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;

function saslOptions(props: Readonly<Record<string, string>>): SASLOptions {
  const mechanism = (props['sasl.mechanism'] ?? 'GSSAPI').toUpperCase();
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new KafkaSettingsError(
      'sasl.mechanism',
      `"${props['sasl.mechanism'] ?? 'GSSAPI (the default)'}" is not supported; use one of ${MECHANISMS.join(', ')}`,
    );
  }
  const jaas = props['sasl.jaas.config'] ?? '';
  const options = jaasOptions(jaas);
  if (mechanism === 'OAUTHBEARER') {
    // Kafka's unsecured login module: a token signed with "none", as the Java client builds it.
    const sub = options.get('unsecuredLoginStringClaim_sub');
    const token = options.get('token');
    if (!sub && !token)
      throw new KafkaSettingsError(
        'sasl.jaas.config',
        'OAUTHBEARER needs unsecuredLoginStringClaim_sub="…" (or token="…") in OAuthBearerLoginModule',
      );
    return { mechanism, token: token ?? (() => unsecuredJwt(sub!)) };
  }
  const username = options.get('username');
  const password = options.get('password');
  if (username === undefined || password === undefined) {
    throw new KafkaSettingsError(
      'sasl.jaas.config',
      `${mechanism} needs username="…" password="…" in the login module`,
    );
  }
  return { mechanism: mechanism as SASLOptions['mechanism'], username, password };
}

/** The `key="value"` options of a JAAS login module line (JAAS quotes values; escapes are rare). */
function jaasOptions(jaas: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of jaas.matchAll(/([A-Za-z_][\w.]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))/g)) {
    out.set(m[1]!, (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  return out;
}

function unsecuredJwt(sub: string): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none' })}.${b64({ sub, iat, exp: iat + 3600 })}.`;
}
