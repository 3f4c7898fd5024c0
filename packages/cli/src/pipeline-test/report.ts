import type { FileResult } from './runner.js';

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

/** The console report: one line per case, the failures below it, a summary. */
export function textReport(results: FileResult[]): string {
  const out: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    out.push(`${r.file}${r.kind ? ` (${r.kind} config)` : ''}`);
    if (r.error) {
      failed++;
      out.push(`  ✖ ${r.error.message}`);
      continue;
    }
    for (const c of r.cases) {
      if (c.failures.length === 0) {
        passed++;
        out.push(`  ✔ ${c.name} (${c.ms} ms)`);
      } else {
        failed++;
        out.push(`  ✖ ${c.name} (${c.file}:${c.line})`);
        for (const f of c.failures) out.push(indent(f, '      '));
      }
    }
  }
  out.push('', `${passed} passed, ${failed} failed`);
  return `${out.join('\n')}\n`;
}

const xml = (s: string) =>
  s
    .replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!)
    // Control characters other than tab and newline are not allowed in XML 1.0.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** A JUnit XML report, as CI systems read it: a suite per file, a case per test case. */
export function junitReport(results: FileResult[]): string {
  const suites = results.map((r) => {
    if (r.error) {
      return (
        `  <testsuite name="${xml(r.file)}" tests="1" failures="0" errors="1">\n` +
        `    <testcase name="${xml(r.file)}" classname="${xml(r.file)}"><error message="${xml(r.error.message)}"/></testcase>\n  </testsuite>`
      );
    }
    const failures = r.cases.filter((c) => c.failures.length > 0).length;
    const time = r.cases.reduce((s, c) => s + c.ms, 0) / 1000;
    const cases = r.cases.map((c) => {
      const open = `    <testcase name="${xml(c.name)}" classname="${xml(r.file)}" file="${xml(c.file)}" line="${c.line}" time="${c.ms / 1000}"`;
      if (c.failures.length === 0) return `${open}/>`;
      const text = c.failures.join('\n\n');
      return `${open}>\n      <failure message="${xml(text.split('\n')[0]!)}">${xml(text)}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(r.file)}" tests="${r.cases.length}" failures="${failures}" errors="0" time="${time}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}

/** True when every case of every file passed. */
export function allPassed(results: FileResult[]): boolean {
  return results.every((r) => !r.error && r.cases.every((c) => c.failures.length === 0));
}
