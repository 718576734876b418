/** A SQL string literal: quotes doubled; DuckDB and ClickHouse read no other escape in standard strings. */
export function sqlString(text: string): string {
  if (text.includes("\u0000")) throw new RangeError("a SQL string cannot hold a NUL character");
  return `'${text.replaceAll("'", "''")}'`;
}

/** A number as a SQL literal that reads back as the same double (shortest round-trip digits). */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value);
}

/** A quoted SQL identifier: double quotes doubled. */
export function sqlIdentifier(name: string): string {
  if (name.includes("\u0000")) throw new RangeError("a SQL identifier cannot hold a NUL character");
  return `"${name.replaceAll('"', '""')}"`;
}
