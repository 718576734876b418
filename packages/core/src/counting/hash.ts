// Murmur3's finaliser: spreads every input bit over the output so nearby strings land far apart.
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * FNV-1a over the UTF-16 code units of `value`, finalised with murmur3's mixer. Stable across platforms
 * and versions: saved sketches depend on it.
 */
export function hashA(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** A second hash, independent of {@link hashA} (murmur2's multiply-xorshift step with its own seed). */
export function hashB(value: string): number {
  let h = 0x9747b28c ^ value.length;
  for (let i = 0; i < value.length; i++) {
    h = Math.imul(h ^ value.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return mix32(h);
}

/**
 * The selection hash of a `BoundedCounter`: values hashing below its ceiling are counted exactly. FNV-1a
 * with another offset basis (the top word of FNV's 128-bit one) and an xorshift after each step, so its
 * state never moves in lock-step with {@link hashA}'s and the choice of exact values is independent of the
 * sketch columns. Stable across platforms and versions: saved models depend on it.
 */
export function hashC(value: string): number {
  let h = 0x6c62272e ^ value.length;
  for (let i = 0; i < value.length; i++) {
    h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    h ^= h >>> 15;
  }
  return mix32(h);
}

/**
 * {@link hashA}, {@link hashB} and {@link hashC} of `value` in one pass over its code units, written to
 * `out[0..2]`: a value that misses a counter's exact table needs all three, and the long ones (user
 * agents, pair keys) cost more to walk than to mix.
 */
export function hashABC(value: string, out: Uint32Array): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ value.length;
  let c = 0x6c62272e ^ value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 15;
    c = Math.imul(c ^ unit, 0x01000193);
    c ^= c >>> 15;
  }
  out[0] = mix32(a);
  out[1] = mix32(b);
  out[2] = mix32(c);
}
