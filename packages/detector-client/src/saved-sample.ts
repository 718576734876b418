import { invalidState, z } from "@oddity/core";
import { HashSample, NO_CEILING, selectionHash, type Hashed } from "./hash-sample.js";

/** A saved {@link HashSample}: its cap, its ceiling and its entries as rows whose first item is the key. */
export const sampleSchema = z.strictObject({
  max: z.number(),
  ceiling: z.number().int().min(0).max(NO_CEILING, { error: `expected a whole number from 0 to 2^32` }),
  values: z.array(z.array(z.unknown())),
});

/** A saved count at `where`: a whole number from 0 to 2^53 − 1, or a `ModelError` naming `where`. */
export function readCount(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    invalidState(where, "expected a count: a whole number from 0 to 2^53 − 1");
  }
  return value;
}

/** A saved string at `where`, or a `ModelError` naming `where`. */
export function readText(value: unknown, where: string): string {
  if (typeof value !== "string") invalidState(where, "expected a string");
  return value;
}

/** Checks a saved sample's cap against the options' and its number of entries against the cap. */
export function checkSavedCap({
  saved,
  max,
  where,
}: {
  saved: z.output<typeof sampleSchema>;
  max: number;
  where: string;
}): void {
  if (saved.max !== max) invalidState(`${where}.max`, `is ${saved.max} but the options say ${max}`);
  if (saved.values.length > max) {
    invalidState(`${where}.values`, `holds ${saved.values.length} entries, more than the cap of ${max}`);
  }
}

/**
 * Reads a saved sample: rows of `width` items whose first is the key, each entry built by `read`. Throws
 * a `ModelError` naming the key path of a cap the options do not match, a key listed twice or one that
 * could not be in the sample (its hash at or above the ceiling).
 */
export function readSample<T extends Hashed>({
  saved,
  max,
  where,
  width,
  read,
}: {
  saved: z.output<typeof sampleSchema>;
  max: number;
  where: string;
  width: number;
  read: (row: unknown[], hash: number, at: string) => T;
}): HashSample<T> {
  checkSavedCap({ saved, max, where });
  const sample = new HashSample<T>(max);
  sample.ceiling = saved.ceiling;
  saved.values.forEach((row, i) => {
    const at = `${where}.values[${i}]`;
    if (row.length !== width) invalidState(at, `expected ${width} items, got ${row.length}`);
    const key = readText(row[0], `${at}[0]`);
    if (sample.map.has(key)) invalidState(`${at}[0]`, `${JSON.stringify(key)} is listed twice`);
    const hash = selectionHash(key);
    if (hash >= sample.ceiling)
      invalidState(`${at}[0]`, `hashes at or above the sample's ceiling, so it cannot be in it`);
    sample.map.set(key, read(row, hash, at));
  });
  return sample;
}
