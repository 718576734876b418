import { NO_CEILING, selectionHash } from "@oddity/detector-client";

/**
 * The sample key of a pair, hashed for selection only: the path's length first, so no path and client
 * can run into another pair.
 */
function pairHash(path: string, client: string): number {
  return selectionHash(`${path.length}:${path}${client}`);
}

/**
 * At most `max` distinct (path, client) pairs, chosen by hash rather than by arrival (a bottom-k sample,
 * like the client detector's `HashSample`, so samples over shards merge into exactly the sample over the
 * whole). Held as path → client → hash: a pair seen before is found by two lookups of strings the
 * record already holds, without building its key, which is what nearly every request is.
 */
export class PairSample {
  readonly max: number;
  readonly byPath = new Map<string, Map<string, number>>();
  ceiling = NO_CEILING;
  size = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** Adds the pair unless it is in the sample already or hashes at or above the ceiling. */
  add(path: string, client: string): void {
    let clients = this.byPath.get(path);
    if (clients?.has(client)) return;
    const hash = pairHash(path, client);
    if (hash >= this.ceiling) return;
    if (clients === undefined) this.byPath.set(path, (clients = new Map<string, number>()));
    clients.set(client, hash);
    // Pruning waits until twice the cap, so its sort is paid rarely; settle() prunes to the cap.
    if (++this.size > 2 * this.max) this.prune();
  }

  /** Adds a pair read from a saved sample; false when it is there already or above the ceiling. */
  restore(path: string, client: string): boolean {
    const hash = pairHash(path, client);
    const clients = this.byPath.get(path);
    if (hash >= this.ceiling || clients?.has(client) === true) return false;
    if (clients === undefined) this.byPath.set(path, new Map([[client, hash]]));
    else clients.set(client, hash);
    this.size++;
    return true;
  }

  /** Prunes to at most `max` pairs: the state every saved or merged sample is in. */
  settle(): void {
    if (this.size > this.max) this.prune();
  }

  /** True once pairs were left out. */
  get overflowed(): boolean {
    return this.ceiling !== NO_CEILING;
  }

  /** Every pair in the sample. */
  *pairs(): Generator<[path: string, client: string, hash: number]> {
    for (const [path, clients] of this.byPath)
      for (const [client, hash] of clients) yield [path, client, hash];
  }

  /** A new sample holding both samples' pairs under the lower ceiling, settled. */
  static merge(a: PairSample, b: PairSample): PairSample {
    const out = new PairSample(a.max);
    out.ceiling = Math.min(a.ceiling, b.ceiling);
    for (const sample of [a, b]) {
      for (const [path, client, hash] of sample.pairs()) {
        if (hash >= out.ceiling) continue;
        let clients = out.byPath.get(path);
        if (clients === undefined) out.byPath.set(path, (clients = new Map<string, number>()));
        if (clients.has(client)) continue;
        clients.set(client, hash);
        out.size++;
      }
    }
    out.settle();
    return out;
  }

  private prune(): void {
    const hashes = new Float64Array(this.size);
    let i = 0;
    for (const clients of this.byPath.values()) for (const hash of clients.values()) hashes[i++] = hash;
    hashes.sort();
    this.ceiling = Math.min(this.ceiling, hashes[this.max]!);
    for (const [path, clients] of this.byPath) {
      for (const [client, hash] of clients) {
        if (hash < this.ceiling) continue;
        clients.delete(client);
        this.size--;
      }
      if (clients.size === 0) this.byPath.delete(path);
    }
  }
}
