import { sqlNumber, sqlString } from "./sql-text.js";

/** The layouts this engine splits in SQL. */
export type SqlLayout = "common" | "combined";

// Only the plain shape of each field: anything else (escaped or raw quotes, a user with spaces, an odd
// timestamp) does not match and goes to oddity's own parser, which accepts or rejects it with its reason.
// So a line the SQL reads is read into the very fields oddity's parser gives it, never other ones.
const TIME = String.raw`[0-3]\d/[A-Z][a-z][a-z]/[1-9]\d{3}:[0-2]\d:[0-5]\d:[0-6]\d(?: [+-][0-2]\d[0-5]\d)?`;
const QUOTED = String.raw`"([^"\\]*)"`;
const HEAD = String.raw`^([^ ]+) ([^ ]+) ([^ \[]+) \[(${TIME})\] ${QUOTED} (\d{1,3}|-) (\d{1,15}|-)`;

/** The regular expression (RE2) a line of `layout` must match to be split in SQL. */
export function plainLinePattern(layout: SqlLayout): string {
  return layout === "combined" ? `${HEAD} ${QUOTED} ${QUOTED}[ \\t]*$` : `${HEAD}[ \\t]*$`;
}

const GROUPS = ["ip", "ident", "user", "time_text", "request", "status", "size", "referer", "agent"] as const;

/**
 * SQL over a relation `lines(src, source, n, line)` giving one row per line: `plain` when the SQL split
 * it (with every record field, `time` in epoch ms), otherwise the line itself for oddity to parse.
 */
export function splitLinesSql({
  layout,
  maxLineLength,
}: {
  layout: SqlLayout;
  maxLineLength: number;
}): string {
  const groups = layout === "combined" ? GROUPS : GROUPS.slice(0, 7);
  const pattern = sqlString(plainLinePattern(layout));
  const names = `[${groups.map((g) => sqlString(g)).join(", ")}]`;
  // The request splits on its first and last space, as oddity's parser does; "" and "-" are no request.
  const f = "strpos(p.request, ' ')";
  const l = "(length(p.request) - strpos(reverse(p.request), ' ') + 1)";
  const none = "(p.request = '' OR p.request = '-')";
  const t = "p.time_text";
  const offset = `CASE WHEN length(${t}) = 26 THEN (CASE WHEN substr(${t}, 22, 1) = '-' THEN -1 ELSE 1 END) * (TRY_CAST(substr(${t}, 23, 2) AS INTEGER) * 60 + TRY_CAST(substr(${t}, 25, 2) AS INTEGER)) ELSE 0 END`;
  const clock = `(TRY_CAST(substr(${t}, 13, 2) AS INTEGER) * 60 + TRY_CAST(substr(${t}, 16, 2) AS INTEGER) - (${offset})) * 60 + TRY_CAST(substr(${t}, 19, 2) AS INTEGER)`;
  const valid = `TRY_CAST(substr(${t}, 13, 2) AS INTEGER) <= 23 AND TRY_CAST(substr(${t}, 16, 2) AS INTEGER) <= 59 AND TRY_CAST(substr(${t}, 19, 2) AS INTEGER) <= 60 AND (length(${t}) = 20 OR (TRY_CAST(substr(${t}, 23, 2) AS INTEGER) <= 23 AND TRY_CAST(substr(${t}, 25, 2) AS INTEGER) <= 59))`;
  const day = `try_strptime(substr(${t}, 1, 11), '%d/%b/%Y')`;
  const dash = (x: string) => `CASE WHEN ${x} = '' OR ${x} = '-' THEN NULL ELSE ${x} END`;
  return `
SELECT src, source, n,
  plain,
  CASE WHEN plain THEN NULL ELSE line END AS line,
  CASE WHEN plain THEN p.ip END AS ip,
  CASE WHEN plain THEN p.ident END AS ident,
  CASE WHEN plain THEN p.user END AS "user",
  CASE WHEN plain THEN ${t} END AS time_text,
  CASE WHEN plain THEN time_ms END AS "time",
  CASE WHEN NOT plain OR ${none} THEN NULL WHEN ${f} = 0 THEN p.request WHEN ${f} = 1 THEN NULL ELSE left(p.request, ${f} - 1) END AS method,
  CASE WHEN NOT plain OR ${none} OR ${f} = 0 THEN NULL
       WHEN ${l} = ${f} THEN (CASE WHEN ${f} < length(p.request) THEN substr(p.request, ${f} + 1) END)
       WHEN ${l} > ${f} + 1 THEN substr(p.request, ${f} + 1, ${l} - ${f} - 1) END AS path,
  CASE WHEN NOT plain OR ${none} OR ${f} = 0 OR ${l} = ${f} OR ${l} = length(p.request) THEN NULL
       ELSE substr(p.request, ${l} + 1) END AS http_version,
  CASE WHEN plain AND p.status <> '-' THEN TRY_CAST(p.status AS INTEGER) END AS status,
  CASE WHEN plain AND p.size <> '-' THEN TRY_CAST(p.size AS DOUBLE) END AS size,
  ${layout === "combined" ? `CASE WHEN plain THEN ${dash("p.referer")} END` : "CAST(NULL AS VARCHAR)"} AS referer,
  ${layout === "combined" ? `CASE WHEN plain THEN ${dash("p.agent")} END` : "CAST(NULL AS VARCHAR)"} AS user_agent
FROM (
  SELECT *, (p.ip <> '' AND time_ms IS NOT NULL AND length(line) <= ${sqlNumber(maxLineLength)}) AS plain
  FROM (
    SELECT *, CASE WHEN p.ip <> '' AND ${valid} THEN epoch_ms(${day}) + TRY_CAST(${clock} AS BIGINT) * 1000 END AS time_ms
    FROM (SELECT src, source, n, line, regexp_extract(line, ${pattern}, ${names}) AS p FROM lines WHERE line IS NOT NULL)
  )
)`;
}
