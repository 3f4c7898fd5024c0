import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJavaKey, isJavaSerialized } from './java-serialized.js';

// Written by java.io.ObjectOutputStream.writeObject(new Object[] {...}) on OpenJDK 17, as Debezium stores keys.
const OBJECT_ARRAY = '757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870';
const INTEGER =
  '737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b0200007870';
const java = (n: number, elements: string) => `aced0005${OBJECT_ARRAY}${n.toString(16).padStart(8, '0')}${elements}`;

describe('decodeJavaKey (Debezium incremental snapshot keys)', () => {
  it('reads Integer, Long, String and UUID elements as text', () => {
    assert.deepEqual(decodeJavaKey(java(1, `${INTEGER}0000002a`)), ['42']);
    assert.deepEqual(decodeJavaKey(java(1, `${INTEGER}ffffffff`)), ['-1']);
    assert.deepEqual(
      decodeJavaKey(
        java(
          1,
          '7372000e6a6176612e6c616e672e4c6f6e673b8be490cc8f23df0200014a000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b02000078700000011f71fb04cb',
        ),
      ),
      ['1234567890123'],
    );
    assert.deepEqual(decodeJavaKey(java(1, '74000d68c3a96c6c6f2077c3b6726c64')), ['héllo wörld']);
    assert.deepEqual(
      decodeJavaKey(
        java(
          1,
          '7372000e6a6176612e7574696c2e55554944bc9903f7986d852f0200024a000c6c65617374536967426974734a000b6d6f737453696742697473787031c399e2697726610cc175b9c0f1b6a8',
        ),
      ),
      ['0cc175b9-c0f1-b6a8-31c3-99e269772661'],
    );
  });

  it('follows back references to class descriptors and strings (a composite key)', () => {
    // new Object[] { 7, "b123", 8, -5L, "b123" }
    const hex = java(
      5,
      `${INTEGER}00000007740004623132337371007e0002000000087372000e6a6176612e6c616e672e4c6f6e673b8be490cc8f23df0200014a000576616c75657871007e0003fffffffffffffffb71007e0005`,
    );
    assert.equal(isJavaSerialized(hex), true);
    assert.deepEqual(decodeJavaKey(hex), ['7', 'b123', '8', '-5', 'b123']);
  });

  it('names what it cannot read', () => {
    assert.equal(isJavaSerialized(Buffer.from('["1"]').toString('hex')), false);
    assert.throws(() => decodeJavaKey('aced0005770100'), /unsupported Java serialization element 0x77/);
  });
});
