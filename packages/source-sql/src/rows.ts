import { InputError, canonicalField, createRecord, quoteValue, type LogRecord } from "@oddity/core";
import { toNumber, toText, toTime } from "./values.js";

/** Record fields a query column can fill; every other column becomes an `extra` field. */
const TEXT_FIELDS = [
  "ip",
  "ident",
  "user",
  "method",
  "path",
  "http_version",
  "referer",
  "user_agent",
  "raw",
] as const;
const NUMBER_FIELDS = ["status", "size"] as const;

type TextField = (typeof TEXT_FIELDS)[number];
type NumberField = (typeof NUMBER_FIELDS)[number];
type Target =
  | { kind: "text"; field: TextField }
  | { kind: "number"; field: NumberField }
  | { kind: "time" }
  | { kind: "time_text" }
  | { kind: "primary_key" }
  | { kind: "extra"; key: string };

/** Turns one result row into a record, or into the reason it was rejected. */
export type RowMapper = (row: readonly unknown[], ordinal: number) => LogRecord | string;

const textFieldSet = new Set<string>(TEXT_FIELDS);
const numberFieldSet = new Set<string>(NUMBER_FIELDS);

function targetOf(column: string): Target {
  const field = canonicalField(column.toLowerCase());
  if (textFieldSet.has(field)) return { kind: "text", field: field as TextField };
  if (numberFieldSet.has(field)) return { kind: "number", field: field as NumberField };
  if (field === "time") return { kind: "time" };
  if (field === "time_text") return { kind: "time_text" };
  return { kind: "extra", key: column };
}

function describeTarget(target: Target): string {
  switch (target.kind) {
    case "text":
    case "number":
      return target.field;
    case "extra":
      return `extra.${target.key}`;
    default:
      return target.kind;
  }
}

/** The row as JSON: the record's `raw`, what `show` prints when there is no log line to show. */
export function rawJson(columns: readonly string[], row: readonly unknown[]): string {
  const entries = columns.map((column, i) => {
    const value = row[i];
    return [column, typeof value === "number" || typeof value === "boolean" ? value : toText(value)] as const;
  });
  return JSON.stringify(Object.fromEntries(entries));
}

/**
 * Maps a query's columns onto record fields, once per query: names and their aliases (`request_path`,
 * `status_code`, `timestamp`, ...) in any letter case pick the field; other columns become `extra`;
 * the primary key column goes to `extra.primary_key`. Two columns for one field is an error.
 */
export function createRowMapper({
  columns,
  source,
  primaryKey,
}: {
  columns: readonly string[];
  source: string;
  primaryKey?: string;
}): RowMapper {
  const targets = columns.map((column): Target =>
    primaryKey !== undefined && column === primaryKey ? { kind: "primary_key" } : targetOf(column),
  );
  if (primaryKey !== undefined && !columns.includes(primaryKey)) {
    throw new InputError(
      `${source}: the query has no column ${JSON.stringify(primaryKey)} for the primary key (columns: ${columns.join(", ")})`,
    );
  }
  const seen = new Map<string, string>();
  targets.forEach((target, i) => {
    const name = describeTarget(target);
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new InputError(
        `${source}: columns ${JSON.stringify(previous)} and ${JSON.stringify(columns[i])} both map to ${name}; alias one of them`,
      );
    }
    seen.set(name, columns[i]!);
  });
  const hasRaw = targets.some((target) => target.kind === "text" && target.field === "raw");
  const hasTimeText = targets.some((target) => target.kind === "time_text");

  return (row, ordinal) => {
    const fields: Partial<LogRecord> = { source, line: ordinal };
    let extra: Record<string, string> | null = null;
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]!;
      const value = row[i];
      switch (target.kind) {
        case "text":
          if (target.field === "raw") fields.raw = toText(value) ?? "";
          else fields[target.field] = toText(value);
          break;
        case "number": {
          const number = toNumber(value);
          if ("problem" in number) return `${columns[i]} is not a number: ${quoteValue(number.problem, 60)}`;
          fields[target.field] = number.value;
          break;
        }
        case "time": {
          const time = toTime(value);
          fields.time = time.time;
          if (!hasTimeText) fields.time_text = time.text;
          break;
        }
        case "time_text":
          fields.time_text = toText(value);
          break;
        case "primary_key":
        case "extra": {
          const text = toText(value);
          if (text === null) break;
          extra ??= Object.create(null) as Record<string, string>;
          extra[target.kind === "primary_key" ? "primary_key" : target.key] = text;
          break;
        }
      }
    }
    if (!hasRaw) fields.raw = rawJson(columns, row);
    fields.extra = extra;
    return createRecord(fields);
  };
}
