import { BoundedCounter, invalidState } from "@oddity/core";

/** Distinct clients counted exactly; past it, estimated from the smallest hashes (a KMV sketch). */
export const CLIENT_SAMPLE_SIZE = 2048;

/** Hash space of {@link BoundedCounter.selectionHash}: 32-bit unsigned. */
const HASH_SPACE = 2 ** 32;

/** A client's identity as the rarity state stores it: the selection hash of its key. */
export function clientId(key: string): number {
  return BoundedCounter.selectionHash(key);
}

/**
 * How many distinct clients the baseline had. Keeps the {@link CLIENT_SAMPLE_SIZE} smallest client hashes
 * (a bottom-k sample), so the count is exact up to that many clients and a k-minimum-values estimate
 * (k − 1) / U₍ₖ₎ past it, with a relative error near 1/√k ≈ 2%. The bottom k of a union is the bottom k of
 * the bottoms, so merging shards gives exactly the sample of the whole.
 */
export class ClientSample {
  private readonly hashes = new Set<number>();
  // Hashes above it cannot be among the k smallest; HASH_SPACE until the sample first filled.
  private limit = HASH_SPACE;
  private saturated = false;

  add(hash: number): void {
    if (hash > this.limit) return;
    this.hashes.add(hash);
    // Trimmed in batches of k, so adding stays O(1) amortized.
    if (this.hashes.size > 2 * CLIENT_SAMPLE_SIZE) this.trim();
  }

  private trim(): void {
    if (this.hashes.size <= CLIENT_SAMPLE_SIZE) return;
    const kept = [...this.hashes].sort((a, b) => a - b).slice(0, CLIENT_SAMPLE_SIZE);
    this.hashes.clear();
    for (const h of kept) this.hashes.add(h);
    this.limit = kept[kept.length - 1]!;
    this.saturated = true;
  }

  /** Distinct clients: exact below {@link CLIENT_SAMPLE_SIZE}, estimated above. */
  estimate(): number {
    this.trim();
    if (!this.saturated) return this.hashes.size;
    return Math.round(((CLIENT_SAMPLE_SIZE - 1) * HASH_SPACE) / (this.limit + 1));
  }

  static merge(a: ClientSample, b: ClientSample): ClientSample {
    const merged = new ClientSample();
    merged.saturated = a.saturated || b.saturated;
    merged.limit = Math.min(a.limit, b.limit);
    for (const side of [a, b]) for (const h of side.hashes) if (h <= merged.limit) merged.hashes.add(h);
    merged.trim();
    return merged;
  }

  toJSON(): { hashes: number[]; saturated: boolean } {
    this.trim();
    return { hashes: [...this.hashes].sort((x, y) => x - y), saturated: this.saturated };
  }

  static fromJSON(json: { hashes: number[]; saturated: boolean }, where: string): ClientSample {
    const sample = new ClientSample();
    const { hashes, saturated } = json;
    if (hashes.length > CLIENT_SAMPLE_SIZE)
      invalidState(`${where}.hashes`, `holds ${hashes.length} hashes, more than ${CLIENT_SAMPLE_SIZE}`);
    if (saturated && hashes.length < CLIENT_SAMPLE_SIZE)
      invalidState(`${where}.hashes`, `a saturated sample holds exactly ${CLIENT_SAMPLE_SIZE} hashes`);
    hashes.forEach((h, i) => {
      if (!Number.isInteger(h) || h < 0 || h >= HASH_SPACE || (i > 0 && h <= hashes[i - 1]!))
        invalidState(`${where}.hashes[${i}]`, "expected 32-bit hashes in increasing order");
      sample.hashes.add(h);
    });
    sample.saturated = saturated;
    if (saturated) sample.limit = hashes[hashes.length - 1]!;
    return sample;
  }
}
