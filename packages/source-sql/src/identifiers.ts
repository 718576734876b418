import type { Dialect } from "./url.js";

/** A table name split into an optional schema (PostgreSQL) or database (MySQL) and the table itself. */
export interface TableName {
  schema: string | null;
  table: string;
}

// MySQL allows 64 characters, PostgreSQL 63 bytes; the lower bound suits both.
const MAX_LENGTH = 63;

/**
 * Why a table or column name is refused, or null when it is acceptable. Names are quoted before they
 * reach SQL; this only keeps out what no real identifier holds (control characters, quote characters,
 * overlong names), so a typo is reported as a bad name rather than as a confusing server error.
 */
export function identifierProblem(name: string): string | null {
  if (name === "") return "is empty";
  if (name.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f"`]/.test(name)) return "contains a quote or control character";
  if (name !== name.trim()) return "starts or ends with a space";
  return null;
}

/** Splits `schema.table` (or `database.table` on MySQL); a plain name has no schema. */
export function parseTableName(name: string): TableName | string {
  const parts = name.split(".");
  if (parts.length > 2)
    return `table name ${JSON.stringify(name)} has more than one dot (expected table or schema.table)`;
  for (const part of parts) {
    const problem = identifierProblem(part);
    if (problem !== null) return `table name ${JSON.stringify(name)} ${problem}`;
  }
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { schema: null, table: parts[0]! };
}

/** Quotes one identifier for the dialect, doubling any quote character inside it. */
export function quoteIdentifier(name: string, dialect: Dialect): string {
  return dialect === "mysql" ? `\`${name.replaceAll("`", "``")}\`` : `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a possibly schema-qualified table name. */
export function quoteTable(name: TableName, dialect: Dialect): string {
  const table = quoteIdentifier(name.table, dialect);
  return name.schema === null ? table : `${quoteIdentifier(name.schema, dialect)}.${table}`;
}
