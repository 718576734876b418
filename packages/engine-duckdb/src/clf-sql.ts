import { sqlNumber, sqlString } from "./sql-text.js";

/** The layouts this engine splits in SQL. */
export type SqlLayout = "common" | "combined";

// Only the plain shape of each field is split in SQL: exactly the structural quotes, no backslash on the
// line, no space in the user, a well-formed timestamp. Anything else goes to oddity's own parser, which
// accepts or rejects it with its reason; so a line the SQL reads gets the very fields oddity's parser
// gives it, never other ones. The line is split on `"` (cheap); RE2 only checks the short pieces.
const TIME = String.raw`[0-3]\d/[A-Z][a-z][a-z]/[1-9]\d{3}:[0-2]\d:[0-5]\d:[0-6]\d(?: [+-][0-2]\d[0-5]\d)?`;
/**
 * The part before the request: `ip ident user [time] `. The client must be written as an address (as
 * core's `clientShape` reads one): a host name or a list goes to oddity's parser, which counts or rejects it.
 */
export const HEAD_PATTERN = String.raw`(?:-|[0-9A-Fa-f:.\[\]]+(?:%[^ ]*)?) [^ ]+ [^ \[]+ \[${TIME}\] `;
/** The part between the request and the referer (or the end): ` status size `. */
export const STATUS_PATTERN = String.raw` (?:\d{1,3}|-) (?:\d{1,15}|-)`;

/**
 * SQL over `lines`, a relation `(src, source, line)`, giving one row per line, in its order: `plain` when the SQL split
 * it (with every record field, `time` in epoch ms), otherwise the line itself (null for an empty line)
 * for oddity to parse.
 */
export function splitLinesSql({
  lines,
  layout,
  maxLineLength,
  keepLines = false,
}: {
  /** The SQL of the relation read (`linesSql`), or a table's name. */
  lines: string;
  layout: SqlLayout;
  maxLineLength: number;
  /** Keep every line beside its fields (the records' `raw`), not only the lines handed back. */
  keepLines?: boolean;
}): string {
  const combined = layout === "combined";
  const head = sqlString(HEAD_PATTERN);
  const statusPattern = sqlString(`${STATUS_PATTERN}${combined ? " " : "[ \\t]*"}`);
  // A combined line's part after the request is exactly ` status size ` (its pattern), so its pieces 2
  // and 3 on single spaces; a common line's may end in tabs and spaces, which are trimmed first.
  const shape = combined
    ? `len(q) = 7 AND regexp_full_match(q[3], ${statusPattern}) AND q[5] = ' ' AND regexp_full_match(q[7], '[ \\t]*')`
    : `len(q) = 3 AND regexp_full_match(q[3], ${statusPattern})`;
  // The request splits on its first and last space, as oddity's parser does; "" and "-" are no request.
  // Positions are computed once per line in an inner SELECT: DuckDB does not share repeated expressions.
  // The time is read from the head's end, where its pattern puts it: `[` and 20 characters, or 26 with
  // an offset, then `] `. Counting from the end matters (an ident may hold brackets), and looking at one
  // character costs less than finding the last `[` by reversing the head.
  const t = "time_text";
  // DuckDB's strptime reads the shapes the head's pattern lets through as oddity's parser does, where
  // it reads them at all: it refuses a day the month does not have, hour 24 and second 60, and those
  // lines go to oddity's parser (which reads a leap second). It takes offsets past 23 hours, which
  // oddity's parser refuses, so those are kept out here. The split of the bench's 1M lines took 1.34 s
  // so, against 1.49 s computing the day by integer arithmetic on the timestamp's parts (3 runs each).
  const time = `CASE WHEN length(${t}) = 20 THEN epoch_ms(try_strptime(${t}, '%d/%b/%Y:%H:%M:%S')) WHEN substr(${t}, 23, 2) <= '23' THEN epoch_ms(try_strptime(${t}, '%d/%b/%Y:%H:%M:%S %z')) END`;
  const dash = (x: string) => `CASE WHEN ${x} = '' OR ${x} = '-' THEN NULL ELSE ${x} END`;
  const none = "(r = '' OR r = '-')";
  return `
SELECT src, source, plain,
  ${keepLines ? "line" : "CASE WHEN plain THEN NULL ELSE line END"} AS line,
  CASE WHEN plain THEN h[1] END AS ip,
  CASE WHEN plain THEN h[2] END AS ident,
  CASE WHEN plain THEN h[3] END AS "user",
  CASE WHEN plain THEN ${t} END AS time_text,
  CASE WHEN plain THEN time_ms END AS "time",
  CASE WHEN NOT plain OR ${none} THEN NULL WHEN f = 0 THEN r WHEN f = 1 THEN NULL ELSE left(r, f - 1) END AS method,
  CASE WHEN NOT plain OR ${none} OR f = 0 THEN NULL
       WHEN l = f THEN (CASE WHEN f < rl THEN substr(r, f + 1) END)
       WHEN l > f + 1 THEN substr(r, f + 1, l - f - 1) END AS path,
  CASE WHEN NOT plain OR ${none} OR f = 0 OR l = f OR l = rl THEN NULL ELSE substr(r, l + 1) END AS http_version,
  CASE WHEN plain AND s[1] <> '-' THEN TRY_CAST(s[1] AS INTEGER) END AS status,
  CASE WHEN plain AND s[2] <> '-' THEN TRY_CAST(s[2] AS DOUBLE) END AS size,
  ${combined ? `CASE WHEN plain THEN ${dash("referer_text")} END` : "CAST(NULL AS VARCHAR)"} AS referer,
  ${combined ? `CASE WHEN plain THEN ${dash("agent_text")} END` : "CAST(NULL AS VARCHAR)"} AS user_agent
FROM (
  SELECT src, source, line, h, s, r, f, rl, rl - strpos(reverse(r), ' ') + 1 AS l, referer_text, agent_text, ${t}, time_ms,
    coalesce(shaped AND time_ms IS NOT NULL AND length(line) <= ${sqlNumber(maxLineLength)}, false) AS plain
  FROM (
    SELECT src, source, line, shaped, h, s, r, strpos(r, ' ') AS f, length(r) AS rl, referer_text, agent_text, ${t},
      CASE WHEN shaped THEN ${time} END AS time_ms
    FROM (
      SELECT src, source, line, shaped,
        ${combined ? "string_split(q[3], ' ')[2:3]" : "string_split(trim(replace(q[3], chr(9), ' ')), ' ')"} AS s,
        string_split(q[1], ' ') AS h,
        q[2] AS r,
        ${combined ? "q[4]" : "CAST(NULL AS VARCHAR)"} AS referer_text,
        ${combined ? "q[6]" : "CAST(NULL AS VARCHAR)"} AS agent_text,
        CASE WHEN shaped THEN (CASE WHEN substr(q[1], length(q[1]) - 22, 1) = '[' THEN substr(q[1], length(q[1]) - 21, 20) ELSE substr(q[1], length(q[1]) - 27, 26) END) END AS ${t}
      FROM (
        SELECT src, source, line, q, (NOT contains(line, '\\') AND ${shape} AND regexp_full_match(q[1], ${head})) AS shaped
        FROM (SELECT src, source, line, string_split(line, '"') AS q FROM (${lines}))
      )
    )
  )
)`;
}
