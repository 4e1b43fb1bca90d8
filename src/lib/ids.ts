import { randomBytes } from 'node:crypto';

/** Stamps a 48-bit millisecond time, version 7 and the variant onto 16 bytes whose rest is random. */
function formatV7(b: Buffer, ms: number): string {
  b.writeUIntBE(ms, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** UUID v7 (RFC 9562): 48-bit millisecond timestamp, then random bits; sorts by creation time. */
export function uuidv7(now = Date.now()): string {
  return formatV7(randomBytes(16), now);
}

/** UUID v7 ids for many rows from one draw of randomness (one draw per row showed up in profiles). */
export class UuidBatch {
  private readonly pool: Buffer;
  private offset = 0;
  constructor(count: number) {
    this.pool = randomBytes(Math.max(1, count) * 10);
  }
  next(ms: number): string {
    const b = Buffer.alloc(16);
    this.pool.copy(b, 6, this.offset, this.offset + 10);
    this.offset += 10;
    return formatV7(b, ms);
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}
