import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, partitionForKey, toPositive } from './murmur2.js';

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('murmur2', () => {
  // The vectors of Kafka's own UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils).
  const kafkaVectors: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [input, expected] of kafkaVectors) {
    it(`matches Kafka for "${input}"`, () => assert.equal(murmur2(utf8(input)), expected));
  }

  it('handles the empty key and every tail length', () => {
    assert.equal(typeof murmur2(new Uint8Array(0)), 'number');
    for (let n = 0; n < 9; n++) {
      const h = murmur2(new Uint8Array(n).fill(0xff));
      assert.ok(Number.isInteger(h) && h >= -2147483648 && h <= 2147483647);
    }
  });

  it('toPositive clears the sign bit like Kafka (not Math.abs)', () => {
    assert.equal(toPositive(-2147483648), 0);
    assert.equal(toPositive(-1), 2147483647);
    assert.equal(toPositive(5), 5);
  });

  it('partitionForKey is deterministic and in range', () => {
    assert.equal(partitionForKey(utf8('21'), 16), toPositive(-973932308) % 16);
    for (let i = 0; i < 100; i++) {
      const p = partitionForKey(utf8(`key-${i}`), 7);
      assert.ok(p >= 0 && p < 7);
      assert.equal(partitionForKey(utf8(`key-${i}`), 7), p);
    }
  });
});
