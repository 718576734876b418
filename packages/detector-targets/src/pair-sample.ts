import { ownString } from "@oddity/core";
import { NO_CEILING, selectionHash } from "@oddity/detector-client";

/** The sample key of a pair: the path's length first, so no path and client can run into another pair. */
function pairKey(path: string, client: string): string {
  return `${path.length}:${path}${client}`;
}

/** The path and client of a {@link pairKey}. */
function pairOf(key: string): [path: string, client: string] {
  const colon = key.indexOf(":");
  const end = colon + 1 + Number(key.slice(0, colon));
  return [key.slice(colon + 1, end), key.slice(end)];
}

/**
 * At most `max` distinct (path, client) pairs, chosen by hash rather than by arrival (a bottom-k sample,
 * like the client detector's `HashSample`, so samples over shards merge into exactly the sample over the
 * whole). One flat map from the pair's key to its hash: about a hundred bytes a pair. Observing reaches
 * it once per distinct pair and drain of the pending codes, not once per request.
 */
export class PairSample {
  readonly max: number;
  readonly byKey = new Map<string, number>();
  ceiling = NO_CEILING;

  constructor(max: number) {
    this.max = max;
  }

  /** Adds the pair unless it is in the sample already or hashes at or above the ceiling. */
  add(path: string, client: string): void {
    const key = pairKey(path, client);
    if (this.byKey.has(key)) return;
    const hash = selectionHash(key);
    if (hash >= this.ceiling) return;
    // A copy, so a kept pair never keeps the log line its values were cut from alive.
    this.byKey.set(ownString(key), hash);
    // Pruning waits until twice the cap, so its sort is paid rarely; settle() prunes to the cap.
    if (this.byKey.size > 2 * this.max) this.prune();
  }

  /** Adds a pair read from a saved sample; false when it is there already or above the ceiling. */
  restore(path: string, client: string): boolean {
    const key = pairKey(path, client);
    const hash = selectionHash(key);
    if (hash >= this.ceiling || this.byKey.has(key)) return false;
    this.byKey.set(key, hash);
    return true;
  }

  /** How many pairs the sample holds. */
  get size(): number {
    return this.byKey.size;
  }

  /** Prunes to at most `max` pairs: the state every saved or merged sample is in. */
  settle(): void {
    if (this.byKey.size > this.max) this.prune();
  }

  /** True once pairs were left out. */
  get overflowed(): boolean {
    return this.ceiling !== NO_CEILING;
  }

  /** Every pair in the sample. */
  *pairs(): Generator<[path: string, client: string]> {
    for (const key of this.byKey.keys()) yield pairOf(key);
  }

  /** A new sample holding both samples' pairs under the lower ceiling, settled. */
  static merge(a: PairSample, b: PairSample): PairSample {
    const out = new PairSample(a.max);
    out.ceiling = Math.min(a.ceiling, b.ceiling);
    for (const sample of [a, b]) {
      for (const [key, hash] of sample.byKey) if (hash < out.ceiling) out.byKey.set(key, hash);
    }
    out.settle();
    return out;
  }

  private prune(): void {
    const hashes = Float64Array.from(this.byKey.values()).sort();
    this.ceiling = Math.min(this.ceiling, hashes[this.max]!);
    for (const [key, hash] of this.byKey) if (hash >= this.ceiling) this.byKey.delete(key);
  }
}
