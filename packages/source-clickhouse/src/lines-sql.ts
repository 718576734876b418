import { chNumber, chString } from "./escape.js";

/** The layouts split in ClickHouse SQL; every other format is streamed back and parsed by oddity. */
export type SqlLayout = "common" | "combined";

// Only the plain shape of each field is split in SQL, as @oddity/engine-duckdb does for files: exactly
// the structural quotes, no backslash on the line, no space in the user, a valid timestamp, the client
// written as an address. Anything else is handed back to oddity's own parser, which accepts or rejects it
// with its reason; so a line the SQL reads gets the very fields oddity's parser gives it, never other ones.
// The line is split on `"` (cheap); RE2 only checks the short pieces.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const any = (names: readonly string[]) => `(?:${names.join("|")})`;
// A day the month has, as oddity's parser checks it (31/Feb is no date; 29/Feb only in a leap year), in
// years 1000 to 9999; other years are handed back.
const YEAR = String.raw`[1-9]\d{3}`;
const LEAP = String.raw`(?:[1-9]\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)`;
const DATE = any([
  String.raw`(?:0[1-9]|1\d|2[0-8])/${any(MONTHS)}/${YEAR}`,
  String.raw`(?:29|30)/${any(MONTHS.filter((m) => m !== "Feb"))}/${YEAR}`,
  String.raw`31/${any(["Jan", "Mar", "May", "Jul", "Aug", "Oct", "Dec"])}/${YEAR}`,
  String.raw`29/Feb/${LEAP}`,
]);
const HOUR = String.raw`(?:[01]\d|2[0-3])`;
const TIME = String.raw`${DATE}:${HOUR}:[0-5]\d:(?:[0-5]\d|60)(?: [+-]${HOUR}[0-5]\d)?`;
/** The part before the request, `ip ident user [time] `, the client written as an address. */
export const HEAD_PATTERN = String.raw`^(?:-|[0-9A-Fa-f:.\[\]]+(?:%[^ ]*)?) [^ ]+ [^ \[]+ \[${TIME}\] $`;
/** The part between the request and the referer (combined) or the end (common): ` status size `. */
const STATUS = String.raw` (?:\d{1,3}|-) (?:\d{1,15}|-)`;

/** The split of a raw-line column as ClickHouse expressions, for a `WITH` clause over the table itself. */
export interface LineSplit {
  /** `WITH` list: every alias below, defined over the column (no trailing comma). */
  with: string;
  /** True when the SQL read the line; the fields below are its record's then. */
  plain: string;
  /** The line as oddity reads it (a trailing newline dropped); NULL when the column is. */
  line: string;
  /** Bytes of the line and its newline, 0 for NULL: what the streamed read counts as `bytes`. */
  bytes: string;
  /** Record fields by name (`time` in epoch ms), meaningful where `plain`. */
  fields: Readonly<Record<string, string>>;
  /** The aliases' prefix, which no column of the table starts with. */
  prefix: string;
}

/**
 * The expressions that split `column` (already an escaped identifier) by `layout`. They are written over
 * the table itself, not a subquery, so that a Distributed table sends them to its shards with the query
 * and every shard splits and counts its own lines.
 */
export function splitLines({
  column,
  layout,
  maxLineLength,
  prefix,
}: {
  column: string;
  layout: SqlLayout;
  maxLineLength: number;
  prefix: string;
}): LineSplit {
  const a = (name: string) => `${prefix}${name}`;
  const defs: Array<[string, string]> = [];
  const def = (name: string, sql: string) => {
    defs.push([name, sql]);
    return a(name);
  };
  const combined = layout === "combined";
  const text = def("text", `ifNull(${column}, '')`);
  // A row loaded from a file often keeps its newline, which is no part of the line (as the stream reads it).
  const line = def(
    "line",
    `substring(${text}, 1, length(${text}) - endsWith(${text}, '\\n') - endsWith(${text}, '\\r\\n'))`,
  );
  const q = def("q", `splitByChar('"', ${line})`);
  const q1 = def("q1", `${q}[1]`);
  const q3 = def("q3", `${q}[3]`);
  const shape = combined
    ? `length(${q}) = 7 AND match(${q3}, ${chString(`^${STATUS} $`)}) AND ${q}[5] = ' ' AND match(${q}[7], '^[ \\t]*$')`
    : `length(${q}) = 3 AND match(${q3}, ${chString(`^${STATUS}[ \\t]*$`)})`;
  const plain = def(
    "plain",
    `isNotNull(${column}) AND position(${line}, '\\\\') = 0 AND length(${line}) <= ${chNumber(maxLineLength)} AND ${shape} AND match(${q1}, ${chString(HEAD_PATTERN)})`,
  );
  const head = def("head", `splitByChar(' ', ${q1})`);
  // The time is in the last brackets of the head (no part of it holds a bracket, the client may).
  const back = def("back", `position(reverse(${q1}), '[')`);
  const t = def("time_text", `substring(${q1}, length(${q1}) - ${back} + 2, ${back} - 3)`);
  const num = (from: number, length: number) => `toInt64OrZero(substring(${t}, ${from}, ${length}))`;
  const day = def("day", num(1, 2));
  const month = def("month", `indexOf([${MONTHS.map((m) => `'${m}'`).join(", ")}], substring(${t}, 4, 3))`);
  const year = def("year", num(8, 4));
  const hours = def("hours", num(13, 2));
  const minutes = def("minutes", num(16, 2));
  const seconds = def("seconds", num(19, 2));
  const zoned = `length(${t}) = 26`;
  const offset = def(
    "offset",
    `if(${zoned}, if(substring(${t}, 22, 1) = '-', -1, 1) * (${num(23, 2)} * 60 + ${num(25, 2)}), 0)`,
  );
  // Days since 1970-01-01 of the proleptic Gregorian date (H. Hinnant's days_from_civil), as JavaScript's
  // Date counts them; the year is at least 1000, so the divisions are of positive numbers.
  const y = def("y", `${year} - (${month} <= 2)`);
  const era = def("era", `intDiv(${y}, 400)`);
  const yoe = def("yoe", `${y} - ${era} * 400`);
  const doy = def("doy", `intDiv(153 * ((${month} + 9) % 12) + 2, 5) + ${day} - 1`);
  const days = def(
    "days",
    `${era} * 146097 + ${yoe} * 365 + intDiv(${yoe}, 4) - intDiv(${yoe}, 100) + ${doy} - 719468`,
  );
  const time = def(
    "time",
    `((${days} * 86400) + ((${hours} * 60 + ${minutes} - ${offset}) * 60 + ${seconds})) * 1000`,
  );
  // The request splits on its first and last space, as oddity's parser does; "" and "-" are no request.
  const r = def("r", `${q}[2]`);
  const f = def("f", `position(${r}, ' ')`);
  const rl = def("rl", `length(${r})`);
  const l = def("l", `${rl} - position(reverse(${r}), ' ') + 1`);
  const none = def("none", `(${r} = '' OR ${r} = '-')`);
  const nothing = "CAST(NULL AS Nullable(String))";
  const method = def(
    "method",
    `multiIf(${none}, ${nothing}, ${f} = 0, toNullable(${r}), ${f} = 1, ${nothing}, toNullable(substring(${r}, 1, ${f} - 1)))`,
  );
  const path = def(
    "path",
    `multiIf(${none} OR ${f} = 0, ${nothing}, ${l} = ${f}, if(${f} < ${rl}, toNullable(substring(${r}, ${f} + 1)), ${nothing}), ${l} > ${f} + 1, toNullable(substring(${r}, ${f} + 1, ${l} - ${f} - 1)), ${nothing})`,
  );
  const version = def(
    "http_version",
    `if(${none} OR ${f} = 0 OR ${l} = ${f} OR ${l} = ${rl}, ${nothing}, toNullable(substring(${r}, ${l} + 1)))`,
  );
  const parts = def("s", `splitByChar(' ', ${q3})`);
  const statusText = def("status_text", `${parts}[2]`);
  // Common lines may end in tabs, which follow the size.
  const sizeText = def("size_text", `replaceAll(${parts}[3], '\\t', '')`);
  const status = def(
    "status",
    `if(${statusText} = '-', CAST(NULL AS Nullable(Int32)), toInt32OrNull(${statusText}))`,
  );
  const size = def(
    "size",
    `if(${sizeText} = '-', CAST(NULL AS Nullable(Float64)), toFloat64OrNull(${sizeText}))`,
  );
  const dash = (x: string) => `if(${x} = '' OR ${x} = '-', ${nothing}, toNullable(${x}))`;
  const referer = def("referer", combined ? dash(`${q}[4]`) : nothing);
  const agent = def("user_agent", combined ? dash(`${q}[6]`) : nothing);
  const fields: Record<string, string> = {
    ip: def("ip", `${head}[1]`),
    ident: def("ident", `${head}[2]`),
    user: def("user", `${head}[3]`),
    time,
    time_text: t,
    method,
    path,
    http_version: version,
    status,
    size,
    referer,
    user_agent: agent,
  };
  const bytes = def("bytes", `if(isNull(${column}), 0, length(${line}) + 1)`);
  const raw = def("raw", `if(isNull(${column}), ${nothing}, toNullable(${line}))`);
  return {
    with: defs.map(([name, sql]) => `${sql} AS ${a(name)}`).join(",\n  "),
    plain,
    line: raw,
    bytes,
    fields,
    prefix,
  };
}

/** A prefix for the split's aliases that no column name starts with (a table may hold any names). */
export function aliasPrefix(columns: readonly string[]): string {
  let prefix = "oddity_";
  while (columns.some((c) => c.startsWith(prefix))) prefix = `_${prefix}`;
  return prefix;
}
