import type { Command } from 'commander';
import { formatSchemas, generateCsvSchemas } from '@tributary/connector-spooldir';

interface SchemaOpts {
  file: string;
  key?: string[];
  header: boolean;
  separator: string;
  sampleRows: string;
  allStrings?: boolean;
  format: string;
  keyName: string;
  valueName: string;
}

/** `tributary spooldir schema -f orders.csv -k order_id`: prints key.schema and value.schema for a CSV file. */
export function registerSpooldirCommand(program: Command): void {
  const spooldir = program.command('spooldir').description('helpers for the spool-directory connectors');
  spooldir
    .command('schema')
    .description('infer key.schema and value.schema from a CSV file (streamed; only the sampled rows are read)')
    .requiredOption('-f, --file <path>', 'the CSV (or TSV with --separator 9) file')
    .option('-k, --key <fields...>', 'the fields of the key (repeat or separate with commas)')
    .option('--no-header', 'the first row is data: columns are named column01, column02, …')
    .option('--separator <code>', 'the separator as a character code, as csv.separator.char (9 = tab)', '44')
    .option('--sample-rows <n>', 'rows looked at to infer the types', '10000')
    .option('--all-strings', 'make every field an optional STRING, as the Java plugin does')
    .option(
      '--format <format>',
      'properties (key.schema=…) or json (an object to merge into a connector config)',
      'properties',
    )
    .option('--key-name <name>', 'the key schema name', 'com.github.jcustenborder.kafka.connect.model.Key')
    .option('--value-name <name>', 'the value schema name', 'com.github.jcustenborder.kafka.connect.model.Value')
    .action(async (o: SchemaOpts) => {
      if (o.format !== 'properties' && o.format !== 'json') throw new Error('--format must be properties or json');
      const schemas = await generateCsvSchemas({
        file: o.file,
        keyFields: (o.key ?? [])
          .flatMap((k) => k.split(','))
          .map((k) => k.trim())
          .filter(Boolean),
        header: o.header,
        separator: Number(o.separator),
        sampleRows: Number(o.sampleRows),
        allStrings: o.allStrings === true,
        keyName: o.keyName,
        valueName: o.valueName,
      });
      process.stdout.write(`${formatSchemas(schemas, o.format)}\n`);
    });
}
