import { mappingOf, type TableProblem, type TableSettings } from './config.js';
import { checkMapping, TableWriter, type TableShape } from './table-writer.js';

/** Reads table metadata (the driver session in practice). */
export interface MetadataSource {
  table(keyspace: string, name: string): Promise<TableShape | null>;
}

/**
 * Reads each configured table's metadata and checks its mapping against it. Used by the connector's
 * `validate()` (so a bad mapping is rejected before anything starts) and again by each task at start
 * (the table may have changed since).
 */
export async function openTables(
  meta: MetadataSource,
  tables: TableSettings[],
): Promise<{ writers: TableWriter[]; problems: TableProblem[] }> {
  const writers: TableWriter[] = [];
  const problems: TableProblem[] = [];
  for (const t of tables) {
    const parsed = mappingOf(t);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    const shape = await meta.table(unquote(t.keyspace), unquote(t.table));
    if (!shape) {
      problems.push({
        key: t.mappingKey,
        message: `Table ${t.keyspace}.${t.table} does not exist (or its keyspace does not); create it first, the connector does not create tables.`,
      });
      continue;
    }
    const bad = checkMapping(parsed.mapping, shape);
    if (bad.length > 0) {
      for (const message of bad) problems.push({ key: t.mappingKey, message });
      continue;
    }
    writers.push(new TableWriter(t, parsed.mapping, shape));
  }
  return { writers, problems };
}

/** Keyspace and table names in keys are case-sensitive when quoted, lower-cased otherwise (as in CQL). */
function unquote(name: string): string {
  return name.startsWith('"') && name.endsWith('"') && name.length > 1
    ? name.slice(1, -1).replace(/""/g, '"')
    : name.toLowerCase();
}
