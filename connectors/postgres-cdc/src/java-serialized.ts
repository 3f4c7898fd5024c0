/**
 * Reads the chunk keys Debezium stores in its incremental snapshot offsets (`incremental_snapshot_primary_key`,
 * `…_maximum_key`): the hex of a Java-serialized `Object[]` (java.io.ObjectOutputStream). Only what those arrays
 * hold for common keys is understood: Integer, Long, Short, String and UUID elements (each as the text PostgreSQL
 * casts back to the key column's type); anything else is an error naming the class.
 */

const TC = {
  NULL: 0x70,
  REFERENCE: 0x71,
  CLASSDESC: 0x72,
  OBJECT: 0x73,
  STRING: 0x74,
  ARRAY: 0x75,
  ENDBLOCKDATA: 0x78,
  LONGSTRING: 0x7c,
} as const;
const BASE_HANDLE = 0x7e0000;

interface ClassDesc {
  readonly name: string;
  readonly fields: ReadonlyArray<{ type: string; name: string }>;
  readonly superDesc: ClassDesc | null;
}

/** True when `hex` is a Java serialization stream (magic AC ED, version 5). */
export function isJavaSerialized(hex: string): boolean {
  return /^aced0005/i.test(hex);
}

export function decodeJavaKey(hex: string): string[] {
  const r = new Reader(Buffer.from(hex, 'hex'));
  if (r.u16() !== 0xaced || r.u16() !== 5) throw new Error('not a Java serialization stream');
  const v = r.content();
  if (!Array.isArray(v)) throw new Error('the stored key is not an Object[]');
  return v.map((e) => {
    if (typeof e !== 'string') throw new Error('a null element in the stored key');
    return e;
  });
}

class Reader {
  private pos = 0;
  private readonly handles: unknown[] = [];

  constructor(private readonly b: Buffer) {}

  u8(): number {
    return this.b.readUInt8(this.pos++);
  }
  u16(): number {
    const v = this.b.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    const v = this.b.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i64(): bigint {
    const v = this.b.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  utf(len: number): string {
    // Modified UTF-8 equals UTF-8 for everything but NUL and supplementary characters (rare in keys).
    const s = this.b.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /** One content element: an object, string, array, class descriptor, reference or null. */
  content(): unknown {
    const tc = this.u8();
    switch (tc) {
      case TC.NULL:
        return null;
      case TC.REFERENCE:
        return this.handles[this.i32() - BASE_HANDLE];
      case TC.STRING:
        return this.assign(this.utf(this.u16()));
      case TC.LONGSTRING:
        return this.assign(this.utf(Number(this.i64())));
      case TC.CLASSDESC:
        return this.classDesc();
      case TC.ARRAY: {
        const desc = this.descriptor();
        if (!desc || desc.name !== '[Ljava.lang.Object;') throw new Error(`unsupported array ${desc?.name}`);
        const out: unknown[] = [];
        this.assign(out);
        const n = this.i32();
        for (let i = 0; i < n; i++) out.push(this.content());
        return out;
      }
      case TC.OBJECT:
        return this.object();
      default:
        throw new Error(`unsupported Java serialization element 0x${tc.toString(16)}`);
    }
  }

  private assign<T>(v: T): T {
    this.handles.push(v);
    return v;
  }

  /** A class descriptor where one is expected: new, a reference to an earlier one, or null. */
  private descriptor(): ClassDesc | null {
    const tc = this.u8();
    if (tc === TC.NULL) return null;
    if (tc === TC.REFERENCE) return this.handles[this.i32() - BASE_HANDLE] as ClassDesc;
    if (tc === TC.CLASSDESC) return this.classDesc();
    throw new Error(`expected a class descriptor, found 0x${tc.toString(16)}`);
  }

  private classDesc(): ClassDesc {
    const name = this.utf(this.u16());
    this.pos += 8; // serialVersionUID
    this.u8(); // flags
    const fields: Array<{ type: string; name: string }> = [];
    const count = this.u16();
    for (let i = 0; i < count; i++) {
      const type = String.fromCharCode(this.u8());
      const fieldName = this.utf(this.u16());
      if (type === 'L' || type === '[') this.content(); // the field's class name
      fields.push({ type, name: fieldName });
    }
    const desc: { name: string; fields: typeof fields; superDesc: ClassDesc | null } = {
      name,
      fields,
      superDesc: null,
    };
    this.assign(desc);
    if (this.u8() !== TC.ENDBLOCKDATA) throw new Error(`class annotations of ${name} are not supported`);
    desc.superDesc = this.descriptor();
    return desc;
  }

  private object(): string {
    const desc = this.descriptor();
    if (!desc) throw new Error('an object without a class');
    const slot = this.handles.length;
    this.assign(null);
    // Field values, the topmost superclass first.
    const chain: ClassDesc[] = [];
    for (let d: ClassDesc | null = desc; d; d = d.superDesc) chain.unshift(d);
    const values = new Map<string, bigint | number>();
    for (const d of chain)
      for (const f of d.fields) {
        if (f.type === 'I') values.set(f.name, this.i32());
        else if (f.type === 'J') values.set(f.name, this.i64());
        else if (f.type === 'S') values.set(f.name, this.b.readInt16BE((this.pos += 2) - 2));
        else throw new Error(`unsupported key class ${desc.name}`);
      }
    let text: string;
    if (['java.lang.Integer', 'java.lang.Long', 'java.lang.Short'].includes(desc.name))
      text = String(values.get('value'));
    else if (desc.name === 'java.util.UUID') {
      const hex = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, '0');
      const h = hex(values.get('mostSigBits') as bigint) + hex(values.get('leastSigBits') as bigint);
      text = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    } else throw new Error(`unsupported key class ${desc.name}`);
    this.handles[slot] = text;
    return text;
  }
}
