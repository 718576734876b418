/**
 * One string key for a pair of values, unambiguous whatever the values contain (log values may hold any
 * character, so no separator is safe): the first value's length, a colon, then both values.
 */
export function pairKey(given: string, target: string): string {
  return `${given.length}:${given}${target}`;
}

/** The two values of a {@link pairKey}; throws on a string that is not one. */
export function splitPairKey(key: string): [given: string, target: string] {
  const colon = key.indexOf(":");
  const length = colon > 0 ? Number(key.slice(0, colon)) : Number.NaN;
  if (
    !Number.isInteger(length) ||
    length < 0 ||
    colon + 1 + length > key.length ||
    !/^\d+$/.test(key.slice(0, colon))
  ) {
    throw new RangeError(`not a pair key: ${JSON.stringify(key.slice(0, 40))}`);
  }
  return [key.slice(colon + 1, colon + 1 + length), key.slice(colon + 1 + length)];
}
