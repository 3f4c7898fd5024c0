import { ConfigDef, configTable } from '@tributary/connect-api';
import { sinkTemplate } from './sink-template.js';
import { sourceTemplate } from './source-template.js';
import type { PluginKind, PluginNames, TemplateKey } from './template.js';

export type { PluginKind, PluginNames } from './template.js';

const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export function pluginNames(pkg: string, kind: PluginKind): PluginNames {
  if (!NPM_NAME.test(pkg) || pkg.length > 214) {
    throw new Error(
      `"${pkg}" is not a valid npm package name: use lower-case letters, digits and - . _ ~ (optionally @scope/name)`,
    );
  }
  const dir = pkg.replace(/^@[^/]+\//, '');
  const words = dir.split(/[^a-z0-9]+/).filter(Boolean);
  if (words.at(-1) === kind) words.pop();
  const base = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'My';
  const pascal = `${/^[0-9]/.test(base) ? `P${base}` : base}${kind === 'source' ? 'Source' : 'Sink'}`;
  return { pkg, dir, kind, pascal, className: `com.example.${pascal}Connector` };
}

/** `src/config.ts` of a template: the one declaration of its keys. */
function configSource(keys: TemplateKey[]): string {
  const defines = keys.map((k) => {
    const { validator, ...rest } = k;
    const literal = (v: unknown) => (typeof v === 'string' ? `'${v.replace(/[\\']/g, '\\$&')}'` : JSON.stringify(v));
    const body = Object.entries(rest)
      .map(([key, v]) => `${key}: ${literal(v)}`)
      .join(', ');
    return `  .define({ ${body}${validator ? `, validator: ${validator}` : ''} })`;
  });
  return [
    "import { ConfigDef, Validators } from '@tributary/connect-api';",
    '',
    "/** The one declaration of the connector's settings: validation, defaults and the README table (`npm run docs`). */",
    'export const configDef = new ConfigDef()',
    `${defines.join('\n')};`,
    '',
  ].join('\n');
}

/** The README's config table, rendered from the same declaration as `src/config.ts`. */
function table(keys: TemplateKey[]): string {
  const def = new ConfigDef();
  for (const { validator: _v, ...k } of keys) def.define(k);
  return configTable(def);
}

/** Every file of a new plugin package, by path relative to its folder. */
export function pluginFiles(n: PluginNames, sdkVersion: string): Record<string, string> {
  const t = n.kind === 'source' ? sourceTemplate(n) : sinkTemplate(n);
  const manifest = {
    name: n.pkg,
    version: '0.1.0',
    description: `A Tributary ${n.kind} connector`,
    type: 'module',
    tributary: { plugins: './dist/index.js' },
    files: ['dist', '!dist/**/*.test.*'],
    scripts: {
      build: 'tsc -p .',
      test: 'tsc -p . && node --test dist/*.test.js',
      docs: 'tsc -p . && node scripts/docs.mjs',
    },
    engines: { node: '>=22' },
    dependencies: { '@tributary/connect-api': `^${sdkVersion}` },
    devDependencies: { '@types/node': '^24.0.0', typescript: '~5.9.3' },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2023',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      declaration: true,
      outDir: 'dist',
      rootDir: 'src',
      types: ['node'],
      skipLibCheck: true,
    },
    include: ['src'],
  };
  const example = Object.fromEntries([
    ['connector.class', n.pascal],
    ...t.keys.filter((k) => !('default' in k)).map((k) => [k.name, `<${k.name}>`]),
  ]);
  return {
    'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    '.gitignore': 'node_modules/\ndist/\n',
    'src/config.ts': configSource(t.keys),
    ...t.files,
    'scripts/docs.mjs': DOCS_SCRIPT,
    'README.md': [
      `# ${n.pkg}`,
      '',
      `A Tributary ${n.kind} connector: \`${n.className}\` (alias \`${n.pascal}\`).`,
      '',
      '```sh',
      "npm install && npm test   # builds, then runs the SDK's conformance kit (src/plugin.test.ts)",
      '```',
      '',
      "Put this folder (or a folder of such packages) in a worker's `plugin.path` and create a connector:",
      '',
      '```json',
      JSON.stringify({ name: n.dir, config: example }),
      '```',
      '',
      '## Configuration',
      '',
      'Generated from `src/config.ts` by `npm run docs`.',
      '',
      '<!-- config -->',
      table(t.keys),
      '<!-- /config -->',
      '',
    ].join('\n'),
  };
}

const DOCS_SCRIPT = `// Rewrites the README's config table from the declaration in src/config.ts (after a build).
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from '@tributary/connect-api';
import { configDef } from '../dist/config.js';

const readme = new URL('../README.md', import.meta.url);
const text = readFileSync(readme, 'utf8');
writeFileSync(readme, text.replace(/(<!-- config -->\\n)[\\s\\S]*?(<!-- \\/config -->)/, (_m, open, close) => \`\${open}\${configTable(configDef)}\\n\${close}\`));
`;
