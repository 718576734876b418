import { fieldReader, type LogRecord } from "@oddity/core";

/** Absent values of a composite key read as `-`, as the log writes them. */
const ABSENT = "-";

/**
 * A client's key from a record: the field's value for a one-field key, a JSON array of the values for a
 * composite one; null when every key field is absent, so requests without an address are not one client.
 */
export function keyReader(fields: readonly string[]): (record: LogRecord) => string | null {
  const readers = fields.map(fieldReader);
  if (readers.length === 1) return readers[0]!;
  return (record) => keyOf(readers.map((read) => read(record)));
}

/** The key of a client from its key fields' values (null for absent ones), as {@link keyReader} gives it. */
export function keyOf(values: ReadonlyArray<string | null>): string | null {
  if (values.length === 1) return values[0] ?? null;
  if (values.every((v) => v === null)) return null;
  return JSON.stringify(values.map((v) => v ?? ABSENT));
}
