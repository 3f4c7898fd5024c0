import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DoubledQuotes } from './doubled-quotes.js';

async function through(chunks: string[]): Promise<string> {
  const t = new DoubledQuotes(34, 92, 44);
  const out: Buffer[] = [];
  t.on('data', (b: Buffer) => out.push(b));
  const ended = new Promise((r) => t.on('end', r));
  for (const c of chunks) t.write(Buffer.from(c));
  t.end();
  await ended;
  return Buffer.concat(out).toString();
}

describe('DoubledQuotes', () => {
  const input = 'a,"x""y",b""c\n"""",""\n"e\\"""f",",""\n"\n';

  it('rewrites doubled quotes inside quoted fields only, keeping every length', async () => {
    const out = await through([input]);
    assert.equal(out, 'a,"x\\"y",b""c\n"\\"",""\n"e\\"\\"f",",\\"\n"\n');
    assert.equal(out.length, input.length);
  });

  it('gives the same bytes wherever the chunks are cut', async () => {
    const whole = await through([input]);
    for (let i = 1; i < input.length; i++)
      assert.equal(await through([input.slice(0, i), input.slice(i)]), whole, `cut at ${i}`);
  });
});
