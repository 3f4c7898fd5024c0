import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, ROOT, tempDir } from '../support/worker-process.js';

/** The YAML blocks of the README's "Testing a pipeline" section: each is a test file that passes. */
function readmeBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Testing a pipeline'));
  assert.ok(section, 'the README has a "Testing a pipeline" section');
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe("the README's pipeline tests", () => {
  const blocks = readmeBlocks();
  it('has examples', () => {
    assert.ok(blocks.length >= 3, `${blocks.length} YAML blocks`);
  });
  for (const [i, block] of blocks.entries()) {
    it(`example ${i + 1} passes under tributary test`, async () => {
      const dir = await tempDir('tributary-readme-');
      const file = join(dir, `example-${i + 1}.test.yaml`);
      await writeFile(file, block);
      const res = spawnSync(process.execPath, [CLI, 'test', file], { encoding: 'utf8' });
      assert.equal(res.status, 0, res.stdout + res.stderr);
      assert.match(res.stdout, / 0 failed/);
    });
  }
});
