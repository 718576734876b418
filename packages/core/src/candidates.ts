import { countQueryFor, derivedMappings, isMappable, rawInputs, recordOf } from "./counted.js";
import type { CountQuery, DerivedMapping } from "./counted.js";
import type { DetectorHooks } from "./detector.js";
import { canonicalField, getField } from "./fields.js";
import type { Finding } from "./finding.js";
import type { Model } from "./model.js";
import type { Pipeline } from "./pipeline.js";
import type { FieldValue, LogRecord } from "./record.js";

/**
 * One footprint of one detector, as an engine groups the scored records by it: the query's fields are
 * the footprint's raw fields and the derived ones the engine groups by itself (see `planCounts`).
 */
export interface CandidateQuery {
  /** The detector's index in the pipeline. */
  detector: number;
  /** The footprint, canonical field names. */
  footprint: readonly string[];
  query: CountQuery;
  /**
   * Raw fields of which the engine returns one value per row (any, e.g. the least), after the query's
   * fields: for a derived field it grouped by, a raw value that gives it (a path of that template), so
   * oddity can build a record the detector reads.
   */
  representatives: readonly string[];
}

/** What an engine groups by to select the records worth scoring, and the derived fields it joins. */
export interface CandidatePlan {
  queries: CandidateQuery[];
  derived: DerivedMapping[];
}

/** One distinct combination of a candidate query's fields among the scored records. */
export interface CandidateRow {
  /** In the query's field order. */
  values: readonly FieldValue[];
  /** One value of each of the query's `representatives`, in order. */
  representatives: readonly FieldValue[];
}

/**
 * The grouped selections an engine runs to find the records any detector could flag, or null when a
 * detector declares no `footprints` (then every record must be scored). `derive` as for `planCounts`.
 */
export function planCandidates(
  pipeline: Pipeline,
  { derive = [] }: { derive?: readonly string[] } = {},
): CandidatePlan | null {
  if (pipeline.detectors.some((d) => d.hooks.footprints === undefined)) return null;
  const mapped = new Set(derive.map(canonicalField));
  const queries = pipeline.detectors.flatMap((d, detector) =>
    d.hooks.footprints!.map((fields): CandidateQuery => {
      const footprint = fields.map(canonicalField);
      const query = countQueryFor({ id: "footprint", fields: footprint }, { derive: mapped });
      return { detector, footprint, query, representatives: representativesOf(query) };
    }),
  );
  return { queries, derived: derivedMappings(queries.map((q) => q.query)) };
}

/**
 * The raw fields of which an engine returns one value per row of `query` for oddity to build a record
 * from: the inputs of the derived fields it groups by itself (`path` for `path_template`).
 */
export function representativesOf(query: CountQuery): string[] {
  return [...new Set(query.fields.filter((f) => isMappable(f)).flatMap((f) => rawInputs(f)))];
}

/** True when every field of the finding is in the footprint: the part of the findings it decides. */
function within(finding: Finding, footprint: ReadonlySet<string>): boolean {
  return finding.fields.every((field) => footprint.has(canonicalField(field)));
}

/**
 * The findings a detector gives a record that lie within one of its footprints (every field of the
 * finding in it): by the footprint's promise, they depend on nothing but the record's values there.
 */
export function footprintFindings({
  hooks,
  state,
  footprint,
  record,
}: {
  hooks: Pick<DetectorHooks<unknown>, "score">;
  state: unknown;
  footprint: readonly string[];
  record: LogRecord;
}): Finding[] {
  const set = new Set(footprint.map(canonicalField));
  return hooks.score(state, record).filter((finding) => within(finding, set));
}

/**
 * A record holding only the raw values a footprint reads from `record` (a derived field through the raw
 * fields it comes from): what oddity scores for one combination an engine returns.
 */
export function footprintRecord(footprint: readonly string[], record: LogRecord): LogRecord {
  const fields = [...new Set(footprint.flatMap((f) => rawInputs(f)))];
  return recordOf(
    fields,
    fields.map((f) => getField(record, f)),
  );
}

/**
 * For each row an engine returned for a candidate query, whether the detector flags the records with
 * those values: a record holding only them (a derived field's value through its representative raw
 * value) is scored, and a finding within the footprint flags the row. Every record of a flagged row is
 * a candidate; a record in no flagged row of any query gets no finding from any detector.
 */
export function flagRows({
  model,
  candidate,
  rows,
}: {
  model: Model;
  candidate: CandidateQuery;
  rows: readonly CandidateRow[];
}): boolean[] {
  const { query, representatives } = candidate;
  const raw = query.fields.filter((f) => !isMappable(f));
  const at = raw.map((f) => query.fields.indexOf(f));
  const fields = [...raw, ...representatives];
  const hooks = model.pipeline.detectors[candidate.detector]!.hooks;
  const state = model.states[candidate.detector];
  const footprint = new Set(candidate.footprint.map(canonicalField));
  return rows.map((row) => {
    const record = recordOf(fields, [...at.map((i) => row.values[i] ?? null), ...row.representatives]);
    // The footprint's set is built once for all the rows, not once a row as `footprintFindings` does.
    return hooks.score(state, record).some((finding) => within(finding, footprint));
  });
}
