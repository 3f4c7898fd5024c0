import { readFile } from 'node:fs/promises';
import { parse as parseProperties } from 'dot-properties';
import { ConfigError } from '@tributary/connect-api';

/**
 * Reads a worker or connector config file: Java `.properties`, or JSON. A connector JSON file may be
 * a flat map or a REST POST body (`{"name":…,"config":{…}}`), as Kafka's standalone mode accepts.
 * Values are returned as strings, as Kafka Connect keeps them.
 */
export async function readConfigFile(path: string): Promise<Record<string, string>> {
  const text = await readFile(path, 'utf8');
  if (/\.json$/i.test(path) || text.trimStart().startsWith('{')) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${path} is not valid JSON: ${(e as Error).message}`);
    }
    return flattenConnectorBody(body, path);
  }
  return parseProperties(text) as Record<string, string>;
}

function flattenConnectorBody(body: unknown, path: string): Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ConfigError(`${path} must hold a JSON object`);
  }
  const obj = body as Record<string, unknown>;
  if (typeof obj.config === 'object' && obj.config !== null) {
    const cfg = stringifyValues(obj.config as Record<string, unknown>);
    if (typeof obj.name === 'string') cfg.name = obj.name;
    return cfg;
  }
  return stringifyValues(obj);
}

/** Kafka Connect configs are string maps; JSON numbers and booleans are accepted and stringified. */
export function stringifyValues(obj: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}
