import { createFitter, createScorer, formatCount, type LogRecord, type Pipeline } from "@oddity/core";
import { rankIndexes } from "./metrics.js";
import { safeText } from "./text.js";

/** Which rule makes a request a probe; see {@link probeKind}. */
export type ProbeKind = "env" | "git" | "wp-config" | "shell" | "xmlrpc" | "wp-login";

/** The path's segments: query dropped, percent-decoded where valid, lower-cased, empty and `.` dropped. */
function segments(path: string): string[] {
  const query = path.indexOf("?");
  const bare = query === -1 ? path : path.slice(0, query);
  let decoded = bare;
  try {
    decoded = decodeURIComponent(bare);
  } catch {
    // a malformed escape: judge the path as sent
  }
  return decoded
    .toLowerCase()
    .split(/[/\\]/)
    .filter((s) => s !== "" && s !== ".");
}

/**
 * What a request path asks for, when it is one of the files scanners probe for on a WordPress site:
 * - `env`: a segment `.env` or `.env.<anything>` (`/.env`, `/app/.env.bak`);
 * - `git`: a segment `.git`, `.gitconfig` or `.git-credentials` (`/.git/config`, `/~/.gitconfig`);
 * - `wp-config`: a last segment starting with `wp-config` (`/wp-config.php.bak`, `/wp-config.php~`);
 *   the live file is never served to visitors, so every request for it or a copy is a probe;
 * - `shell`: a last segment `shell.php`;
 * - `xmlrpc`: a last segment `xmlrpc.php` (`//xmlrpc.php?rsd` too);
 * - `wp-login`: a last segment `wp-login.php`: a probe only from a probing client (see {@link labelProbes}).
 * The query is ignored, valid percent escapes are decoded and case is ignored. Returns null otherwise.
 */
export function probeKind(path: string): ProbeKind | null {
  const parts = segments(path);
  const last = parts.at(-1) ?? "";
  if (parts.some((s) => s === ".env" || s.startsWith(".env."))) return "env";
  if (parts.some((s) => s === ".git" || s === ".gitconfig" || s === ".git-credentials")) return "git";
  if (last.startsWith("wp-config")) return "wp-config";
  if (last === "shell.php") return "shell";
  if (last === "xmlrpc.php") return "xmlrpc";
  if (last === "wp-login.php") return "wp-login";
  return null;
}

/** A request for a `/wp-admin/` page answered 200: the client held a logged-in session. */
function isLoggedInPage(record: LogRecord): boolean {
  if (record.status !== 200 || record.path === null) return false;
  const parts = segments(record.path);
  const last = parts.at(-1) ?? "";
  // admin-ajax.php and admin-post.php answer anyone, logged in or not
  return parts[0] === "wp-admin" && last !== "admin-ajax.php" && last !== "admin-post.php";
}

/**
 * Labels the probes of a log. Every request that {@link probeKind} names is a probe, except `wp-login.php`:
 * site owners log in too, so a `wp-login.php` request is a probe only when its client (address) is a
 * probing client, one that never got a 200 for a `/wp-admin/` page other than `admin-ajax.php` and
 * `admin-post.php`, that is, never showed a logged-in session anywhere in the log.
 * Returns the probe kind per record (null for the rest).
 */
export function labelProbes(records: readonly LogRecord[]): Array<ProbeKind | null> {
  const loggedIn = new Set<string>();
  for (const record of records) if (record.ip !== null && isLoggedInPage(record)) loggedIn.add(record.ip);
  return records.map((record) => {
    const kind = record.path === null ? null : probeKind(record.path);
    if (kind === "wp-login" && record.ip !== null && loggedIn.has(record.ip)) return null;
    return kind;
  });
}

/** One row of the default table's top. */
export interface TopRow {
  rank: number;
  source: string;
  line: number;
  score: number;
  status: number | null;
  /** The request line's method and path, as logged (escape before printing). */
  request: string;
  probe: ProbeKind | null;
}

/** What {@link evaluateTopProbes} measured. */
export interface TopProbesEvaluation {
  records: number;
  flagged: number;
  /** Probes in the whole log, per kind. */
  probesInLog: Partial<Record<ProbeKind, number>>;
  top: TopRow[];
  /** Probes among the top rows. */
  probes: number;
  /** Top rows answered 206 (partial content) or 304 (not modified). */
  partialOrNotModified: number;
  /** Rank of the first flagged probe of each kind (null when none is flagged). */
  firstRank: Partial<Record<ProbeKind, number | null>>;
}

/**
 * Fits the pipeline on the log, scores the same log (as `oddity detect` does) and reads its table's
 * top: flagged records, highest score first, ties in log order. Counts the probes among the first
 * `top` rows and the rows answered 206 or 304.
 */
export function evaluateTopProbes({
  pipeline,
  records,
  top = 20,
}: {
  pipeline: Pipeline;
  records: readonly LogRecord[];
  top?: number;
}): TopProbesEvaluation {
  const fitter = createFitter(pipeline);
  for (const record of records) fitter.observe(record);
  const score = createScorer(fitter.finish());
  const { minScore } = pipeline.scoring;
  const scores = new Float64Array(records.length);
  const flagged: number[] = [];
  records.forEach((record, i) => {
    const scored = score(record);
    if (scored !== null && scored.score >= minScore) {
      scores[i] = scored.score;
      flagged.push(i);
    }
  });
  const kinds = labelProbes(records);
  const ranked = rankIndexes(scores, flagged);
  const probesInLog: Partial<Record<ProbeKind, number>> = {};
  for (const kind of kinds) if (kind !== null) probesInLog[kind] = (probesInLog[kind] ?? 0) + 1;
  const firstRank: Partial<Record<ProbeKind, number | null>> = {};
  for (const kind of Object.keys(probesInLog) as ProbeKind[]) firstRank[kind] = null;
  ranked.forEach((i, r) => {
    const kind = kinds[i];
    if (kind != null && firstRank[kind] === null) firstRank[kind] = r + 1;
  });
  const rows = ranked.slice(0, top).map((i, r): TopRow => {
    const record = records[i]!;
    return {
      rank: r + 1,
      source: record.source,
      line: record.line,
      score: scores[i]!,
      status: record.status,
      request: `${record.method ?? "-"} ${record.path ?? "-"}`,
      probe: kinds[i] ?? null,
    };
  });
  return {
    records: records.length,
    flagged: flagged.length,
    probesInLog,
    top: rows,
    probes: rows.filter((row) => row.probe !== null).length,
    partialOrNotModified: rows.filter((row) => row.status === 206 || row.status === 304).length,
    firstRank,
  };
}

/** The top-probes figures as text, one row per ranked record. */
export function formatTopProbes({
  name,
  evaluation,
}: {
  name: string;
  evaluation: TopProbesEvaluation;
}): string {
  const { top, probes, partialOrNotModified, probesInLog, firstRank } = evaluation;
  const inLog = Object.entries(probesInLog)
    .map(([kind, count]) => `${kind} ${formatCount(count)}`)
    .join(", ");
  const first = Object.entries(firstRank)
    .map(([kind, rank]) => `${kind} ${rank === null ? "never" : `#${formatCount(rank)}`}`)
    .join(", ");
  return [
    `${safeText(name)}: ${formatCount(evaluation.records)} lines, ${formatCount(evaluation.flagged)} flagged; probes in the log: ${inLog || "none"}`,
    `  probes in the top ${top.length}: ${probes}; answered 206 or 304: ${partialOrNotModified}`,
    `  first flagged probe of each kind: ${first || "none"}`,
    "",
    ...top.map(
      (row) =>
        `  ${String(row.rank).padStart(3)}  ${row.score.toFixed(1).padStart(6)}  ${String(row.status ?? "-").padStart(3)}  ${(row.probe ?? "").padEnd(9)}  ${safeText(row.request).slice(0, 90)}`,
    ),
  ].join("\n");
}
