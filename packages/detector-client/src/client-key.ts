import { fieldReader, type DetectorContext, type LogRecord } from "@oddity/core";

/** Absent values of a composite key read as `-`, as the log writes them. */
const ABSENT = "-";

/**
 * A client's key from a record: the field's value for a one-field key (no allocation), a JSON array of
 * the values for a composite one (unambiguous whatever they contain); null when every key field is absent,
 * so requests without an address are not lumped into one "client". A detector passes its context, so
 * the fields are read through its pipeline's caches.
 */
export function keyReader(
  fields: readonly string[],
  context: Pick<DetectorContext, "fieldReader"> = { fieldReader },
): (record: LogRecord) => string | null {
  const readers = fields.map((field) => context.fieldReader(field));
  if (readers.length === 1) return readers[0]!;
  return (record) => keyOf(readers.map((read) => read(record)));
}

/** The client key of the key fields' values (see {@link keyReader}): what a fold of counts reads. */
export function keyOf(values: ReadonlyArray<string | null>): string | null {
  if (values.length === 1) return values[0] ?? null;
  if (values.every((value) => value === null)) return null;
  return JSON.stringify(values.map((value) => value ?? ABSENT));
}
