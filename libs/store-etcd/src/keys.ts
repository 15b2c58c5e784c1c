/**
 * Keys on the wire: the port's string keys become UTF-8 bytes behind an optional namespace prefix.
 * etcd orders keys by bytes, and UTF-8 byte order is code point order, which is the port's order
 * (`compareKeys`), so ranges translate one to one.
 *
 * Invariants:
 * - every key the store writes or reads starts with the namespace bytes;
 * - a port range [start, end) maps to the byte range [ns+start, ns+end), and never to etcd's
 *   special forms (an empty key is not a key; a range_end of "\0" means "to the end").
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class KeyCodec {
  readonly prefix: Buffer;

  constructor(namespace: string) {
    this.prefix = Buffer.from(encoder.encode(namespace));
  }

  encode(key: string): Buffer {
    return Buffer.concat([this.prefix, encoder.encode(key)]);
  }

  /** The smallest key of a range: etcd has no empty key, so "" without a namespace is "\0". */
  encodeStart(start: string): Buffer {
    const bytes = this.encode(start);
    return bytes.length === 0 ? Buffer.from([0]) : bytes;
  }

  /**
   * The exclusive end of a range. An empty end is empty only without a namespace, and the caller
   * never sends an empty range (start >= end is answered locally), so "" never reaches etcd.
   */
  encodeEnd(end: string): Buffer {
    return this.encode(end);
  }

  decode(raw: Buffer): string {
    if (!startsWith(raw, this.prefix)) {
      throw new Error(`etcd returned key ${JSON.stringify(decoder.decode(raw))} outside the namespace ${JSON.stringify(decoder.decode(this.prefix))}`);
    }
    return decoder.decode(raw.subarray(this.prefix.length));
  }

  /** Every key of the namespace: [prefix, prefix+1); the whole keyspace without a namespace. */
  namespaceRange(): { key: Buffer; rangeEnd: Buffer } {
    if (this.prefix.length === 0) return { key: Buffer.from([0]), rangeEnd: Buffer.from([0]) };
    return { key: this.prefix, rangeEnd: prefixEndBytes(this.prefix) };
  }
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

/** The first byte string after every string that starts with `prefix` (etcd's prefix range end). */
export function prefixEndBytes(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i -= 1) {
    const byte = end[i] as number;
    if (byte < 0xff) {
      end[i] = byte + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all 0xff: to the end of the keyspace
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
