import { BoundedCounter } from "@oddity/core";

/** Above every 32-bit selection hash: the ceiling of a sample that never overflowed. */
export const NO_CEILING = 2 ** 32;

/** An entry of a {@link HashSample}: it keeps the key's selection hash for pruning. */
export interface Hashed {
  hash: number;
}

/** The selection hash of a key: the one BoundedCounter uses, stable across versions and platforms. */
export function selectionHash(key: string): number {
  return BoundedCounter.selectionHash(key);
}

/**
 * At most `max` entries by key, chosen by hash rather than by arrival: a key is kept iff its selection
 * hash is below the sample's ceiling, from its first occurrence on, so every kept entry holds complete
 * counts. The ceiling starts above every hash; once there are more than `max` keys it drops to the
 * (max + 1)-th smallest hash, so the kept keys are the `max` smallest hashes of all keys seen (a bottom-k
 * sample, fewer on hash ties), whatever the order or sharding: samples over shards merge into exactly
 * the sample over the whole. While observing, pruning waits until there are 2 × `max` keys, so its sort
 * is paid rarely; {@link settle} prunes to `max`.
 */
export class HashSample<T extends Hashed> {
  readonly max: number;
  readonly map = new Map<string, T>();
  ceiling = NO_CEILING;

  constructor(max: number) {
    this.max = max;
  }

  /** True when a key with this hash may enter (is not below the sample's cut). */
  admits(hash: number): boolean {
    return hash < this.ceiling;
  }

  /** Adds a key the sample {@link admits}. */
  insert(key: string, entry: T): void {
    this.map.set(key, entry);
    if (this.map.size > 2 * this.max) this.prune();
  }

  /** Prunes to at most `max` keys: the state every saved or merged sample is in. */
  settle(): void {
    if (this.map.size > this.max) this.prune();
  }

  /** True once keys were left out. */
  get overflowed(): boolean {
    return this.ceiling !== NO_CEILING;
  }

  private prune(): void {
    const hashes = Float64Array.from(this.map.values(), (e) => e.hash).sort();
    this.lowerTo(Math.min(this.ceiling, hashes[this.max]!));
  }

  /** Lowers the ceiling and drops every key at or above it. */
  lowerTo(ceiling: number): void {
    this.ceiling = ceiling;
    for (const [key, entry] of this.map) if (entry.hash >= ceiling) this.map.delete(key);
  }
}

/**
 * A new sample holding both samples' entries under the lower ceiling, settled: equal to the sample of
 * both inputs as one. `add` adds an entry of `b` into the copy of the same key's entry of `a`.
 */
export function mergeSamples<T extends Hashed>({
  a,
  b,
  add,
  copy,
}: {
  a: HashSample<T>;
  b: HashSample<T>;
  add: (into: T, from: T) => void;
  copy: (entry: T) => T;
}): HashSample<T> {
  const out = new HashSample<T>(a.max);
  const ceiling = Math.min(a.ceiling, b.ceiling);
  for (const [key, entry] of a.map) if (entry.hash < ceiling) out.map.set(key, copy(entry));
  for (const [key, entry] of b.map) {
    if (entry.hash >= ceiling) continue;
    const into = out.map.get(key);
    if (into === undefined) out.map.set(key, copy(entry));
    else add(into, entry);
  }
  out.ceiling = ceiling;
  out.settle();
  return out;
}
