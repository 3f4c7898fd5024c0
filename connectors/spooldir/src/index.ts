import type { PluginDescriptor } from '@tributary/connect-api';
import { VERSION } from './config.js';
import {
  SpoolDirCsvSourceConnector,
  SpoolDirJsonSourceConnector,
  SpoolDirLineDelimitedSourceConnector,
  SpoolDirSchemaLessJsonSourceConnector,
} from './spooldir-source-connector.js';

export {
  SpoolDirCsvSourceConnector,
  SpoolDirJsonSourceConnector,
  SpoolDirLineDelimitedSourceConnector,
  SpoolDirSchemaLessJsonSourceConnector,
};
export { csvSourceConfigDef, jsonSourceConfigDef, lineSourceConfigDef } from './config.js';
export { generateCsvSchemas, formatSchemas, type GenerateOptions } from './schema-generator.js';
export { parseSchemaJson, schemaToJson } from './schema-json.js';

const JAVA = 'com.github.jcustenborder.kafka.connect.spooldir';

/** The plugins of this package, registered by the `tributary` distribution. */
export const plugins: PluginDescriptor[] = [
  {
    type: 'source',
    class: `${JAVA}.SpoolDirCsvSourceConnector`,
    version: VERSION,
    aliases: ['spooldir-csv', 'SpoolDirCsvSource', 'SpoolDirCsvSourceConnector', 'spooldir-tsv'],
    create: () => new SpoolDirCsvSourceConnector(),
  },
  {
    type: 'source',
    class: `${JAVA}.SpoolDirJsonSourceConnector`,
    version: VERSION,
    aliases: ['spooldir-json', 'SpoolDirJsonSource', 'SpoolDirJsonSourceConnector'],
    create: () => new SpoolDirJsonSourceConnector(),
  },
  {
    type: 'source',
    class: `${JAVA}.SpoolDirLineDelimitedSourceConnector`,
    version: VERSION,
    aliases: ['spooldir-line', 'SpoolDirLineDelimitedSource', 'SpoolDirLineDelimitedSourceConnector'],
    create: () => new SpoolDirLineDelimitedSourceConnector(),
  },
  {
    type: 'source',
    class: `${JAVA}.SpoolDirSchemaLessJsonSourceConnector`,
    version: VERSION,
    aliases: ['spooldir-schemaless-json', 'SpoolDirSchemaLessJsonSource', 'SpoolDirSchemaLessJsonSourceConnector'],
    create: () => new SpoolDirSchemaLessJsonSourceConnector(),
  },
];
