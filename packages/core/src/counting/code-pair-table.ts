/**
 * A hash table from a pair of value codes (see `ValueCodes`) to a number, in typed arrays: no key string
 * is built, hashed or compared per lookup, which is what a pair table keyed by text spends its time on.
 * Open addressing with linear probing; it holds at most `capacity` pairs and callers empty it (`clear`)
 * before that, so it never grows.
 */
export class CodePairTable {
  readonly capacity: number;
  private readonly mask: number;
  // Slot i is empty when firsts[i] is -1.
  private readonly firsts: Int32Array;
  private readonly seconds: Int32Array;
  private readonly numbers: Float64Array;
  // Filled slots in order of filling, so iterating and clearing touch only those.
  private readonly filled: Int32Array;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) {
      throw new RangeError(`capacity must be a whole number from 1 to 2^24, got ${capacity}`);
    }
    this.capacity = capacity;
    // At most half full, so probe runs stay short.
    let slots = 2;
    while (slots < capacity * 2) slots *= 2;
    this.mask = slots - 1;
    this.firsts = new Int32Array(slots).fill(-1);
    this.seconds = new Int32Array(slots);
    this.numbers = new Float64Array(slots);
    this.filled = new Int32Array(capacity);
  }

  /** Pairs held. */
  get size(): number {
    return this.count;
  }

  /** True when no more pairs fit: `clear` before adding a new one. */
  get full(): boolean {
    return this.count >= this.capacity;
  }

  private slotOf(first: number, second: number): number {
    let h = Math.imul(first, 0x9e3779b1) ^ Math.imul(second + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    let slot = h & this.mask;
    const { firsts, seconds } = this;
    while (firsts[slot] !== -1 && (firsts[slot] !== first || seconds[slot] !== second)) {
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  /** The number stored for the pair, or undefined. */
  get(first: number, second: number): number | undefined {
    const slot = this.slotOf(first, second);
    return this.firsts[slot] === -1 ? undefined : this.numbers[slot];
  }

  /**
   * Adds `n` to the pair's number (from 0 for a new pair). Returns false, changing nothing, when the pair
   * is new and the table is full.
   */
  add(first: number, second: number, n: number): boolean {
    const slot = this.slotOf(first, second);
    if (this.firsts[slot] === -1) {
      if (this.count >= this.capacity) return false;
      this.firsts[slot] = first;
      this.seconds[slot] = second;
      this.numbers[slot] = n;
      this.filled[this.count++] = slot;
      return true;
    }
    this.numbers[slot]! += n;
    return true;
  }

  /** Calls `each` for every pair held, in order of first adding. */
  forEach(each: (first: number, second: number, n: number) => void): void {
    for (let i = 0; i < this.count; i++) {
      const slot = this.filled[i]!;
      each(this.firsts[slot]!, this.seconds[slot]!, this.numbers[slot]!);
    }
  }

  /** Empties the table in time proportional to the pairs it held. */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.firsts[this.filled[i]!] = -1;
    this.count = 0;
  }
}
