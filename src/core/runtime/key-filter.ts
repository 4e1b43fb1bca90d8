/**
 * Membership of every license key hash, in memory: the first 64 bits of each SHA-256 hash in
 * an open-addressing table (two Uint32Array halves, linear probing, grown at half full). A
 * hash that is not in it belongs to no license, so an unknown key is refused without a query;
 * one that is in it goes on to the snapshot store as before. Two keys share 64 bits with
 * odds of about n / 2^64, and such a false "maybe" only costs the database read every check
 * paid before. Entries are never removed: a deleted license's hash stays a "maybe", whose
 * negative snapshot the store keeps. 1,000,000 licenses take 16 MB.
 */
export class KeyFilter {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  add(keyHash: string): void {
    const hi = fingerprintHi(keyHash);
    const lo = fingerprintLo(keyHash);
    if (this.insert(hi, lo)) {
      this.count++;
      if (this.count * 2 > this.hi.length) this.grow();
    }
  }

  has(keyHash: string): boolean {
    const hi = fingerprintHi(keyHash);
    const lo = fingerprintLo(keyHash);
    let i = (hi ^ lo) & this.mask;
    for (;;) {
      const h = this.hi[i]!;
      const l = this.lo[i]!;
      if (h === hi && l === lo) return true;
      if (h === 0 && l === 0) return false;
      i = (i + 1) & this.mask;
    }
  }

  /** True when it was not there yet. */
  private insert(hi: number, lo: number): boolean {
    let i = (hi ^ lo) & this.mask;
    for (;;) {
      const h = this.hi[i]!;
      const l = this.lo[i]!;
      if (h === hi && l === lo) return false;
      if (h === 0 && l === 0) {
        this.hi[i] = hi;
        this.lo[i] = lo;
        return true;
      }
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    this.mask = this.hi.length - 1;
    for (let i = 0; i < hi.length; i++) if (hi[i] !== 0 || lo[i] !== 0) this.insert(hi[i]!, lo[i]!);
  }
}

/** The hash is hex; anything else (never produced by hashKey) still maps to some fingerprint. */
function fingerprintHi(keyHash: string): number {
  return parseInt(keyHash.slice(0, 8), 16) >>> 0 || 1;
}
function fingerprintLo(keyHash: string): number {
  return parseInt(keyHash.slice(8, 16), 16) >>> 0;
}
