import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SERVICES } from '../../support/services.js';

const run = promisify(execFile);

/**
 * Writes CSV and TSV files with Python's csv module into `dir`: the excel dialect (CRLF, minimal
 * quoting), QUOTE_ALL with LF, and excel-tab. Each has a header and 3,000+ rows: hand-picked awkward
 * values (quotes, separators, CR/LF inside fields, backslashes, empty strings, non-ASCII) and seeded
 * random text over an alphabet of the characters CSV has to quote.
 */
export async function writePythonFiles(dir: string): Promise<string[]> {
  const script = String.raw`
import csv, os, random, sys
out = sys.argv[1]
random.seed(14)
tricky = ['plain', 'say "hi"', 'a,b', 'two\nlines', 'crlf\r\ninside', 'lone\rcr', '', ' padded ', '"', '""',
          'back\\slash', 'C:\\dir\\', '\\"', 'tab\there', 'ünïcødé ✓ 𝄞', "'single'", '#hash', '=1+2', 'NULL', '\\N',
          'trailing"', '"leading', ';semi;', 'a\tb,c"d\ne']
alphabet = 'ab ,"\n\r\\\t;é'
def rnd(): return ''.join(random.choice(alphabet) for _ in range(random.randint(0, 12)))
rows = [[str(i), t, rnd(), str(i * 0.5)] for i, t in enumerate(tricky)]
rows += [[str(100 + i), rnd(), rnd(), rnd()] for i in range(3000)]
def write(name, **fmt):
    with open(os.path.join(out, name), 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, **fmt)
        w.writerow(['id', 'text', 'noise', 'num'])
        w.writerows(rows)
write('python-excel.csv')
write('python-quote-all-lf.csv', quoting=csv.QUOTE_ALL, lineterminator='\n')
write('python-excel-tab.tsv', dialect='excel-tab')
`;
  await run('python3', ['-c', script, dir]);
  return ['python-excel.csv', 'python-quote-all-lf.csv', 'python-excel-tab.tsv'];
}

/** The rows of a file as Python's csv module reads them (a leading BOM dropped, as utf-8-sig does). */
export async function pythonRows(path: string, delimiter: string): Promise<string[][]> {
  const script = String.raw`
import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
    print(json.dumps(list(csv.reader(f, delimiter=sys.argv[2]))))
`;
  const { stdout } = await run('python3', ['-c', script, path, delimiter], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as string[][];
}

/**
 * A query whose rows hold what PostgreSQL's CSV output has to quote: NULL and '' (written as an empty
 * field and as ""), quotes, separators, LF and CRLF, backslashes and the text "\N", tabs, non-ASCII,
 * and the text of arrays, json, timestamps, numerics and booleans; then 3,000 generated rows.
 */
export const PG_QUERY = String.raw`
SELECT * FROM (VALUES
  (1, 'plain', 1.50::numeric, true, '2024-01-02 03:04:05.678+00'::timestamptz, ARRAY['a', 'b,c', 'd"e'], '{"k": "v \"q\""}'::jsonb),
  (2, 'say "hi"', -0.001, false, NULL, ARRAY[]::text[], '[]'),
  (3, E'line1\nline2', NULL, NULL, 'infinity', NULL, 'null'),
  (4, E'crlf\r\nend', 1e20, true, '1999-12-31 23:59:59+00', ARRAY[NULL, ''], '{"a": [1, 2]}'),
  (5, E'back\\slash \\N', 0, false, '2000-01-01 00:00:00+00', ARRAY['\N'], '"s"'),
  (6, '', NULL, NULL, NULL, NULL, NULL),
  (7, NULL, NULL, NULL, NULL, NULL, NULL),
  (8, ' spaced ', 3.14, true, NULL, ARRAY[' x '], '{}'),
  (9, '"', 'NaN', NULL, NULL, NULL, NULL),
  (10, 'comma, and "quote"', 2, NULL, NULL, NULL, NULL),
  (11, E'tab\there', 2, NULL, NULL, NULL, NULL),
  (12, 'ünïcødé ✓ 𝄞', 2, NULL, NULL, NULL, NULL),
  (13, '\N', 2, NULL, NULL, NULL, NULL),
  (14, '""', 2, NULL, NULL, NULL, NULL)
) AS t(id, txt, num, flag, ts, arr, doc)
UNION ALL
SELECT 100 + i, repeat('"', i % 3) || 'row ' || i || CASE i % 4 WHEN 0 THEN E'\n' WHEN 1 THEN ',' WHEN 2 THEN E'\r\n' ELSE '' END,
       i / 7.0, i % 2 = 0, '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 minute', ARRAY[i::text, 'x,y'],
       jsonb_build_object('i', i, 's', 'q"' || i)
FROM generate_series(1, 3000) AS i
ORDER BY 1`;

async function psql(sql: string, ...flags: string[]): Promise<string> {
  const pg = SERVICES.postgres;
  const { stdout } = await run(
    'psql',
    [
      '-X',
      '-q',
      ...flags,
      '-h',
      pg.host,
      '-p',
      String(pg.port),
      '-U',
      pg.user,
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ],
    {
      env: { ...process.env, PGPASSWORD: pg.password, PGTZ: 'UTC', PGCLIENTENCODING: 'UTF8' },
      maxBuffer: 64 << 20,
    },
  );
  return stdout;
}

/** `COPY (PG_QUERY) TO STDOUT WITH (FORMAT csv, HEADER …)`, as psql prints it. */
export function pgCopy(delimiter = ','): Promise<string> {
  return psql(`COPY (${PG_QUERY}) TO STDOUT WITH (FORMAT csv, HEADER${delimiter === ',' ? '' : `, DELIMITER E'\\t'`})`);
}

/** PG_QUERY's rows as PostgreSQL's own text of each value (null for NULL), through json. */
export async function pgRows(): Promise<Array<Array<string | null>>> {
  // ::text is each type's output function, as COPY writes it; a boolean's cast says true/false where COPY writes t/f.
  const cols = ['id', 'txt', 'num', "CASE flag WHEN true THEN 't' WHEN false THEN 'f' END", 'ts', 'arr', 'doc']
    .map((c) => `${c}::text`)
    .join(', ');
  const out = await psql(`SELECT json_agg(json_build_array(${cols}) ORDER BY id) FROM (${PG_QUERY}) q`, '-A', '-t');
  return JSON.parse(out) as Array<Array<string | null>>;
}
