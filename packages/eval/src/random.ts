/**
 * A seeded pseudo-random source. Evaluations must give the same figures on every machine and run, so
 * nothing here may touch `Math.random`.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max] (both included). */
  between(min: number, max: number): number;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One element, with probability proportional to its weight. */
  weighted<T>(items: ReadonlyArray<{ value: T; weight: number }>): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

// mulberry32: 32-bit state, passes the usual statistical batteries for this kind of use, and is a few
// lines instead of a dependency.
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic random source for `seed` (any integer; the same seed gives the same sequence). */
export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    pick(items) {
      if (items.length === 0) throw new RangeError("cannot pick from an empty list");
      return items[int(items.length)]!;
    },
    weighted(items) {
      let total = 0;
      for (const item of items) total += item.weight;
      let r = next() * total;
      for (const item of items) {
        r -= item.weight;
        if (r < 0) return item.value;
      }
      const last = items.at(-1);
      if (last === undefined) throw new RangeError("cannot pick from an empty list");
      return last.value;
    },
    shuffle(items) {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}
