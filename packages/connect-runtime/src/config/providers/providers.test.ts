import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createConfigResolver, hasPlaceholder, parseProperties, redactResolved } from './index.js';

async function secretsDir() {
  const dir = await mkdtemp(join(tmpdir(), 'providers-'));
  await writeFile(
    join(dir, 'db.properties'),
    '# db\nuser=app\npassword = s3cr3t-pw\nurl: jdbc:postgresql://h/db\nlong=a\\\n   b\n',
  );
  await mkdir(join(dir, 'run'));
  await writeFile(join(dir, 'run', 'api-token'), 'tok-123456\n');
  await mkdir(join(dir, 'other'));
  await writeFile(join(dir, 'other', 'x.properties'), 'k=outside\n');
  return dir;
}

const worker = (dir: string, extra: Record<string, string> = {}) => ({
  'config.providers': 'file,env,dir',
  'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
  'config.providers.env.class': 'EnvVarConfigProvider',
  'config.providers.dir.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
  'config.providers.dir.param.allowed.paths': join(dir, 'run'),
  ...extra,
});

describe('config providers', () => {
  it('resolves ${file:path:key}, ${env:VAR} and ${dir:path:file}, embedded in text too', async () => {
    const dir = await secretsDir();
    const resolve = createConfigResolver(worker(dir), { env: { DB_HOST: 'db.internal', HOME: '/root' } });
    assert.equal(resolve.enabled, true);
    const raw = {
      'connection.user': `\${file:${join(dir, 'db.properties')}:user}`,
      'connection.password': `\${file:${join(dir, 'db.properties')}:password}`,
      'connection.url': `jdbc:postgresql://\${env:DB_HOST}:5432/app`,
      token: `\${dir:${join(dir, 'run')}:api-token}`,
      long: `\${file:${join(dir, 'db.properties')}:long}`,
      'topic.format': '${topic}-${timestamp}',
      other: '${vault:secret/x:y}',
    };
    const out = await resolve(raw);
    assert.deepEqual(out, {
      'connection.user': 'app',
      'connection.password': 's3cr3t-pw',
      'connection.url': 'jdbc:postgresql://db.internal:5432/app',
      token: 'tok-123456\n',
      long: 'ab',
      'topic.format': '${topic}-${timestamp}',
      other: '${vault:secret/x:y}',
    });
    assert.equal(raw['connection.password'].startsWith('${file:'), true, 'the input is not modified');
  });

  it('is the identity without config.providers', async () => {
    const resolve = createConfigResolver({});
    const c = { a: '${file:/x:y}' };
    assert.equal(await resolve(c), c);
    assert.equal(resolve.enabled, false);
  });

  it('enforces allowed.paths (no escape with ..) and allowlist.pattern', async () => {
    const dir = await secretsDir();
    const resolve = createConfigResolver(
      worker(dir, {
        'config.providers.file.param.allowed.paths': dir,
        'config.providers.env.param.allowlist.pattern': 'DB_.*',
      }),
      { env: { DB_HOST: 'h', SECRET_KEY: 'nope' } },
    );
    await assert.rejects(
      resolve({ a: `\${dir:${join(dir, 'run', '..', 'other')}:x.properties}` }),
      /not under allowed.paths/,
    );
    await assert.rejects(resolve({ a: '${file:/etc/passwd:root}' }), /not under allowed.paths/);
    await assert.rejects(
      resolve({ a: '${env:SECRET_KEY}' }),
      /config provider env has no value for \$\{env:SECRET_KEY\}/,
    );
    assert.deepEqual(await resolve({ a: '${env:DB_HOST}' }), { a: 'h' });
    await assert.rejects(resolve({ a: `\${dir:${join(dir, 'run')}:../other/x.properties}` }), /no value/);
  });

  it('names the missing key or file, never a secret value', async () => {
    const dir = await secretsDir();
    const resolve = createConfigResolver(worker(dir));
    await assert.rejects(
      resolve({
        p: `\${file:${join(dir, 'db.properties')}:nope}`,
        q: `\${file:${join(dir, 'db.properties')}:password}`,
      }),
      (e: Error) => {
        assert.match(e.message, /^p: config provider file has no value for \$\{file:.*db.properties:nope\}$/);
        assert.doesNotMatch(e.message, /s3cr3t/);
        return true;
      },
    );
    await assert.rejects(
      resolve({ p: '${file:/no/such/file.properties:x}' }),
      /could not read \/no\/such\/file.properties: ENOENT/,
    );
  });

  it('rejects unknown provider classes with the keys to fix', () => {
    assert.throws(
      () => createConfigResolver({ 'config.providers': 'vault', 'config.providers.vault.class': 'com.example.Vault' }),
      /config.providers.vault.class: unknown config provider class com.example.Vault/,
    );
    assert.throws(() => createConfigResolver({ 'config.providers': 'file' }), /config.providers.file.class: missing/);
    assert.throws(
      () =>
        createConfigResolver({
          'config.providers': 'file',
          'config.providers.file.class': 'file',
          'config.providers.file.param.allowed.paths': 'relative/dir',
        }),
      /absolute path/,
    );
  });

  it('hides resolved values: reverse-transformed task configs, and redacted log and error text', async () => {
    const dir = await secretsDir();
    const resolve = createConfigResolver(worker(dir));
    const raw = { 'connection.password': `\${file:${join(dir, 'db.properties')}:password}`, topics: 'orders' };
    const resolved = await resolve(raw);
    // A connector's task config, derived from the resolved config, with the secret copied under another key.
    const task = {
      'connection.password': 's3cr3t-pw',
      'client.password': 's3cr3t-pw',
      topics: 'orders',
      'task.id': '0',
    };
    assert.deepEqual(redactResolved(raw, task, resolved), {
      'connection.password': raw['connection.password'],
      'client.password': raw['connection.password'],
      topics: 'orders',
      'task.id': '0',
    });
    assert.deepEqual(redactResolved(raw, task), { ...task, 'connection.password': raw['connection.password'] });
    assert.equal(
      resolve.redact('auth failed for app with password s3cr3t-pw at db'),
      'auth failed for app with password [hidden] at db',
    );
    assert.equal(hasPlaceholder(raw['connection.password']), true);
    assert.equal(hasPlaceholder('${topic}'), false);
  });

  it('parses Java properties: separators, comments, continuations, escapes', () => {
    const p = parseProperties(
      'a=1\n! c\nb : 2\nc 3\n  d=x\\ty\\u0041\ne=with\\\\\nf=multi\\\n  line\nkey\\ with\\=eq=v\n',
    );
    assert.deepEqual(Object.fromEntries(p), {
      a: '1',
      b: '2',
      c: '3',
      d: 'x\tyA',
      e: 'with\\',
      f: 'multiline',
      'key with=eq': 'v',
    });
  });
});
