import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { pipelineRegistry } from '../pipeline-test/pipeline.js';
import { allPassed, junitReport, textReport } from '../pipeline-test/report.js';
import { runTestFile, type FileResult } from '../pipeline-test/runner.js';

/**
 * `tributary test <file…>`: runs the cases of pipeline test files through their connector config's
 * converters, transforms and predicates, with no Kafka and no external server. Exit 0 when all pass.
 */
export function registerTestCommand(program: Command): void {
  program
    .command('test <files...>')
    .description(
      "run pipeline tests (YAML or JSON): records through a connector config's converters, transforms and predicates, no Kafka needed",
    )
    .option('--junit <path>', 'also write a JUnit XML report there')
    .option(
      '--plugin-path <dirs>',
      'folders of plugin packages whose transforms or converters the configs use (comma separated)',
    )
    .action(async (files: string[], o: { junit?: string; pluginPath?: string }) => {
      const registry = await pipelineRegistry(
        (o.pluginPath ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
      const results: FileResult[] = [];
      for (const f of files) results.push(await runTestFile(f, registry));
      process.stdout.write(textReport(results));
      if (o.junit) await writeFile(o.junit, junitReport(results));
      process.exitCode = allPassed(results) ? 0 : 1;
    });
}
