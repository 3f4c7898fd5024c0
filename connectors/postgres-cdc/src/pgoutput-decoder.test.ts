import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePgoutput, UNCHANGED_TOAST } from './pgoutput-decoder.js';
import { formatLsn, parseLsn, PG_EPOCH_US } from './lsn.js';

function tuple(cols: Array<string | null | 'u'>): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0])];
  parts[0]!.writeUInt16BE(cols.length);
  for (const c of cols) {
    if (c === null) parts.push(Buffer.from('n'));
    else if (c === 'u') parts.push(Buffer.from('u'));
    else {
      const b = Buffer.from(c);
      const h = Buffer.alloc(5);
      h.write('t');
      h.writeUInt32BE(b.length, 1);
      parts.push(h, b);
    }
  }
  return Buffer.concat(parts);
}

describe('pgoutput decoder', () => {
  it('decodes begin/commit with Unix-epoch microseconds', () => {
    const b = Buffer.alloc(21);
    b.write('B');
    b.writeBigUInt64BE(0x1_0000_0010n, 1);
    b.writeBigInt64BE(1_000_000n, 9);
    b.writeUInt32BE(77, 17);
    assert.deepEqual(decodePgoutput(b), {
      tag: 'begin',
      finalLsn: 0x1_0000_0010n,
      commitTimeUs: 1_000_000n + PG_EPOCH_US,
      xid: 77,
    });
    const c = Buffer.alloc(26);
    c.write('C');
    c.writeBigUInt64BE(5n, 2);
    c.writeBigUInt64BE(9n, 10);
    c.writeBigInt64BE(0n, 18);
    assert.deepEqual(decodePgoutput(c), { tag: 'commit', commitLsn: 5n, endLsn: 9n, commitTimeUs: PG_EPOCH_US });
  });

  it('decodes relation, insert, update with old key, delete, and unchanged TOAST', () => {
    const rel = Buffer.concat([
      Buffer.from('R'),
      Buffer.from([0, 0, 0x40, 0]),
      Buffer.from('public\0t\0'),
      Buffer.from('d'),
      Buffer.from([0, 1]),
      Buffer.from([1]),
      Buffer.from('id\0'),
      Buffer.from([0, 0, 0, 23]),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
    ]);
    const r = decodePgoutput(rel);
    assert.equal(r.tag, 'relation');
    if (r.tag === 'relation') {
      assert.equal(r.relationOid, 0x4000);
      assert.deepEqual(r.columns, [{ flags: 1, name: 'id', typeOid: 23, typeMod: -1 }]);
    }
    const ins = Buffer.concat([
      Buffer.from('I'),
      Buffer.from([0, 0, 0x40, 0]),
      Buffer.from('N'),
      tuple(['1', null, 'u']),
    ]);
    const i = decodePgoutput(ins);
    assert.ok(
      i.tag === 'insert' && i.newTuple[0] === '1' && i.newTuple[1] === null && i.newTuple[2] === UNCHANGED_TOAST,
    );
    const upd = Buffer.concat([
      Buffer.from('U'),
      Buffer.from([0, 0, 0x40, 0]),
      Buffer.from('K'),
      tuple(['1']),
      Buffer.from('N'),
      tuple(['2']),
    ]);
    const u = decodePgoutput(upd);
    assert.ok(u.tag === 'update' && u.keyTuple?.[0] === '1' && u.oldTuple === null && u.newTuple[0] === '2');
    const del = Buffer.concat([Buffer.from('D'), Buffer.from([0, 0, 0x40, 0]), Buffer.from('O'), tuple(['3'])]);
    const d = decodePgoutput(del);
    assert.ok(d.tag === 'delete' && d.oldTuple?.[0] === '3' && d.keyTuple === null);
  });

  it('refuses streamed-transaction messages it did not ask for', () => {
    assert.throws(() => decodePgoutput(Buffer.from('S')), /unsupported message 'S'/);
  });

  it('formats and parses LSNs', () => {
    assert.equal(parseLsn('16/B374D848'), 0x16_b374d848n);
    assert.equal(formatLsn(0x16_b374d848n), '16/B374D848');
  });
});
