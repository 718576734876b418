import { createHash } from "node:crypto";
import type { ScoredRecord } from "@oddity/core";

/**
 * How the table groups anomalies: `incident` (default) by client and the kind of evidence, `client`
 * by client alone, `finding` by the kind of evidence alone, `none` one row per record.
 */
export type GroupBy = "incident" | "client" | "finding" | "none";

export const GROUP_MODES = ["incident", "client", "finding", "none"] as const satisfies readonly GroupBy[];

/**
 * The kind of evidence of an anomaly: what its strongest finding says (detector, kind, and its subject
 * when it names one, else its fields and the record's values of them). Two requests with the same key
 * were flagged for the same reason.
 */
export function findingKey({ findings }: ScoredRecord): unknown[] {
  const top = findings[0];
  if (top === undefined) return [];
  return top.subject === undefined
    ? [top.detector, top.kind, top.fields, top.values]
    : [top.detector, top.kind, top.subject];
}

/** The text two anomalies of the same incident share, under `group`. */
export function incidentKey(scored: ScoredRecord, group: GroupBy): string {
  switch (group) {
    case "incident":
      return JSON.stringify([scored.record.ip, ...findingKey(scored)]);
    case "client":
      return JSON.stringify([scored.record.ip]);
    case "finding":
      return JSON.stringify(findingKey(scored));
    case "none":
      return JSON.stringify([scored.record.source, scored.record.line]);
  }
}

/**
 * A short stable name of an incident: the same client and evidence get the same id in every run and
 * every output format, so `jq 'select(.incident == "…")'` finds the records behind a table row.
 */
export function incidentId(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex").slice(0, 12);
}

/** A record's incident id under the default grouping (client and evidence), as NDJSON and CSV carry it. */
export function recordIncidentId(scored: ScoredRecord): string {
  return incidentId(incidentKey(scored, "incident"));
}

/** A moment of an incident: its epoch time and the time as the log wrote it (in the log's offset). */
export interface IncidentTime {
  time: number;
  text: string | null;
}

/** Anomalies grouped under one key, as the table shows them. */
export interface Incident {
  id: string;
  /** The strongest anomaly: highest score, then most findings, then first in ranked order. */
  example: ScoredRecord;
  /** Anomalies in the incident. */
  count: number;
  /** Earliest and latest request time; null when no record carried a time. */
  first: IncidentTime | null;
  last: IncidentTime | null;
  /** Distinct clients seen, counted up to {@link MAX_CLIENTS_COUNTED} (then "at least"). */
  clients: number;
  /** The only client when there is one, else null. */
  client: string | null;
}

/** Distinct clients an incident counts exactly; beyond, it says "N+" (bounded memory per incident). */
export const MAX_CLIENTS_COUNTED = 20;

/**
 * Incidents whose strongest anomaly ties with the last one shown that are compared to break the tie;
 * past this many, later ties are left out in ranked (input) order, so memory stays bounded.
 */
export const MAX_TIED_INCIDENTS = 16_384;

// Scores are sums of floating-point surprisals: two records with the same evidence may differ in the
// last bits depending on the order of the sum.
function sameScore(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Incident order: strongest anomaly first; at an equal score, more findings first (more independent
 * evidence), then fewer records (the rarer story), then input order.
 */
export function compareIncidents(a: Incident, b: Incident): number {
  const x = a.example;
  const y = b.example;
  return (
    (sameScore(x.score, y.score) ? 0 : y.score - x.score) ||
    y.findings.length - x.findings.length ||
    a.count - b.count ||
    (x.record.source < y.record.source ? -1 : x.record.source > y.record.source ? 1 : 0) ||
    x.record.line - y.record.line
  );
}

interface Building extends Incident {
  seen: Set<string | null>;
}

function start(scored: ScoredRecord, key: string): Building {
  const { record } = scored;
  const at = record.time === null ? null : { time: record.time, text: record.time_text };
  return {
    id: incidentId(key),
    example: scored,
    count: 1,
    first: at,
    last: at,
    clients: 1,
    client: record.ip,
    seen: new Set([record.ip]),
  };
}

function extend(incident: Building, scored: ScoredRecord): void {
  const { record } = scored;
  incident.count++;
  const best = incident.example;
  if (sameScore(scored.score, best.score) && scored.findings.length > best.findings.length)
    incident.example = scored;
  if (record.time !== null) {
    if (incident.first === null || record.time < incident.first.time)
      incident.first = { time: record.time, text: record.time_text };
    if (incident.last === null || record.time > incident.last.time)
      incident.last = { time: record.time, text: record.time_text };
  }
  if (incident.seen.size <= MAX_CLIENTS_COUNTED && !incident.seen.has(record.ip)) {
    incident.seen.add(record.ip);
    incident.clients = incident.seen.size;
    incident.client = null;
  }
}

/**
 * The `limit` first incidents of anomalies read in ranked order (highest score first), in
 * {@link compareIncidents} order. One pass; memory holds only the incidents that can still be shown
 * (the first `limit` keys and those tied with the last of them, at most {@link MAX_TIED_INCIDENTS}),
 * never the anomalies, so millions of them group in bounded memory.
 */
export function groupIncidents({
  ranked,
  group,
  limit,
  maxTied = MAX_TIED_INCIDENTS,
}: {
  ranked: Iterable<ScoredRecord>;
  group: GroupBy;
  limit: number;
  maxTied?: number;
}): Incident[] {
  const incidents = new Map<string, Building>();
  let cutoff: number | null = null;
  let closed = false;
  let previous = Number.POSITIVE_INFINITY;
  for (const scored of ranked) {
    if (scored.score > previous) throw new Error("groupIncidents reads anomalies in ranked order");
    previous = scored.score;
    const key = incidentKey(scored, group);
    const known = incidents.get(key);
    if (known !== undefined) {
      extend(known, scored);
      continue;
    }
    if (closed) continue;
    // Past the `limit`-th incident only incidents tied with it can still rank among the shown ones.
    if (cutoff !== null && (!sameScore(scored.score, cutoff) || incidents.size >= limit + maxTied)) {
      closed = true;
      continue;
    }
    incidents.set(key, start(scored, key));
    if (incidents.size === limit) cutoff = scored.score;
  }
  return [...incidents.values()]
    .sort(compareIncidents)
    .slice(0, limit)
    .map(({ seen: _seen, ...incident }) => incident);
}
