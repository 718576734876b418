import type { BinKey, CountBin, CountRow, CountSpec, CountTables } from "./count-tables.js";
import type { DetectorHooks } from "./detector.js";
import { ConfigError } from "./errors.js";
import { createFieldCache } from "./field-cache.js";
import { RECORD_FIELDS, canonicalField, fieldReader, getFieldNumber, type DerivedField } from "./fields.js";
import type { Pipeline } from "./pipeline.js";
import { blankRecord, createRecord, type FieldValue, type LogRecord } from "./record.js";

// What each derived field is computed from: an engine groups by these and oddity derives the rest.
const DERIVED_INPUTS: Readonly<Record<DerivedField, readonly string[]>> = {
  endpoint: ["path"],
  query: ["path"],
  path_template: ["path"],
  hour: ["time", "time_text"],
  weekday: ["time", "time_text"],
  size_mb: ["size"],
};

const RECORD_FIELD_SET = new Set<string>(RECORD_FIELDS);
// Fields a record holds as numbers; an engine returns them as numbers (epoch ms for `time`).
const NUMERIC_FIELDS = new Set(["line", "time", "status", "size"]);

/** The raw fields `field` is computed from: itself for record fields and extras. */
export function rawInputs(field: string): readonly string[] {
  const canonical = canonicalField(field);
  return Object.hasOwn(DERIVED_INPUTS, canonical)
    ? DERIVED_INPUTS[canonical as keyof typeof DERIVED_INPUTS]
    : [canonical];
}

/**
 * Derived fields an engine can group by itself, given a table from each distinct raw value to the derived
 * one (see {@link derivedValues}): those computed from the request target alone. An engine that groups by
 * them returns far fewer rows than one grouping by the raw `path`.
 */
export const MAPPABLE_FIELDS: readonly DerivedField[] = ["path_template", "endpoint", "query"];

/** A derived field an engine groups by itself, from a table of oddity's values for each raw value. */
export interface DerivedMapping {
  /** The derived field (canonical), e.g. `path_template`. */
  field: string;
  /** The raw record field it is computed from, e.g. `path`. */
  from: string;
}

/**
 * The derived value of `field` for each raw value of the field it is computed from (see
 * {@link DerivedMapping}), exactly as `observe` reads it from a record: what an engine joins on.
 */
export function derivedValues({
  mapping,
  values,
}: {
  mapping: DerivedMapping;
  values: readonly FieldValue[];
}): Array<string | null> {
  const read = fieldReader(mapping.field);
  return values.map((value) => read(recordOf([mapping.from], [value])));
}

/** True when an engine should return `field` as a number (or null); other raw fields are text. */
export function isNumericField(field: string): boolean {
  return NUMERIC_FIELDS.has(field);
}

/** True for a field every record has; anything else an engine reads as a format extra. */
export function isRecordField(field: string): boolean {
  return RECORD_FIELD_SET.has(field);
}

/**
 * The factor a logarithmic sketch of this accuracy multiplies `log2(x)` by: key = ceil(log2(x) × it).
 * Computed with the same operations as sketches-js, so keys agree to the last bit (346.5734747554118
 * at 0.001).
 */
export function binMultiplier(relativeAccuracy: number): number {
  const mantissa = (2 * relativeAccuracy) / (1 - relativeAccuracy);
  return (1 / Math.log1p(mantissa)) * Math.log(2);
}

/** The smallest |x| a sketch of this accuracy tells from zero; at or below it, x is in the zero bin. */
export function binMinimum(relativeAccuracy: number): number {
  const mantissa = (2 * relativeAccuracy) / (1 - relativeAccuracy);
  return Math.pow(2, -1023) * (1 + mantissa);
}

/** The bin of `value` in a logarithmic sketch of this accuracy (see {@link BinKey}). */
export function binKey(value: number, relativeAccuracy: number): BinKey {
  const minimum = binMinimum(relativeAccuracy);
  const multiplier = binMultiplier(relativeAccuracy);
  if (value > minimum) return { sign: 1, key: Math.ceil(Math.log2(value) * multiplier) };
  if (value < -minimum) return { sign: -1, key: Math.ceil(Math.log2(-value) * multiplier) };
  return { sign: 0, key: 0 };
}

/**
 * One grouped count an engine computes: records per combination of raw `fields` (text, or numbers for
 * {@link isNumericField} fields) and, with `bin`, per bin of that numeric record field.
 */
export interface CountQuery {
  /** Identifies the query in {@link CountResults}; equal queries of several detectors are run once. */
  key: string;
  fields: readonly string[];
  bin?: CountBin;
}

/** A row of a {@link CountQuery}: raw values in the query's field order. */
export interface RawCountRow {
  values: readonly FieldValue[];
  bin?: BinKey | null;
  count: number;
}

/** Rows per query key, as an engine returns them: one row per distinct combination of values (and bin). */
export type CountResults = ReadonlyMap<string, readonly RawCountRow[]>;

interface PlannedSpec {
  spec: CountSpec;
  query: CountQuery;
}

/** What an engine must count for a pipeline, and how the answers map back to each detector's specs. */
export interface CountPlan {
  queries: CountQuery[];
  /** Derived fields the queries group by, which the engine computes from oddity's table of their values. */
  derived: DerivedMapping[];
  detectors: ReadonlyArray<{ id: string; specs: readonly PlannedSpec[] }>;
}

/** The declared counts of a detector, or null when it declares none (it can only observe records). */
export function declaredCounts(hooks: DetectorHooks<unknown>): readonly CountSpec[] | null {
  return hooks.counts !== undefined && typeof hooks.foldCounts === "function" ? hooks.counts : null;
}

/**
 * Turns the pipeline's declared counts into queries on raw fields, or on the derived fields of `derive`
 * (a subset of {@link MAPPABLE_FIELDS}) for an engine that joins oddity's table of their values. Throws a
 * {@link ConfigError} naming every detector that declares no counts: `engine` cannot stream records back
 * to it.
 */
export function planCounts(
  pipeline: Pipeline,
  engine: string,
  { derive = [] }: { derive?: readonly string[] } = {},
): CountPlan {
  const undeclared = pipeline.detectors.filter((d) => declaredCounts(d.hooks) === null);
  if (undeclared.length > 0) {
    throw new ConfigError(
      `${engine} computes a model from grouped counts, and these detectors do not declare theirs`,
      undeclared.map(
        (d) =>
          `detector "${d.id}" (${d.use}) learns record by record only; run without --engine, or have it declare \`counts\` and \`foldCounts\` (docs/plugins.md)`,
      ),
    );
  }
  const mapped = new Set(derive.map(canonicalField).filter((f) => isMappable(f)));
  const queries = new Map<string, CountQuery>();
  const detectors = pipeline.detectors.map((d) => ({
    id: d.id,
    specs: declaredCounts(d.hooks)!.map((spec) => {
      const query = countQueryFor(spec, { derive: mapped });
      if (!queries.has(query.key)) queries.set(query.key, query);
      return { spec, query: queries.get(query.key)! };
    }),
  }));
  return { queries: [...queries.values()], derived: derivedMappings([...queries.values()]), detectors };
}

/** The derived fields `queries` group by themselves, each with the raw field the engine joins it on. */
export function derivedMappings(queries: readonly CountQuery[]): DerivedMapping[] {
  const used = new Set(queries.flatMap((q) => q.fields.filter((f) => isMappable(f))));
  return [...used].sort().map((field) => ({ field, from: rawInputs(field)[0]! }));
}

/** True for a derived field an engine may group by itself (see {@link MAPPABLE_FIELDS}). */
export function isMappable(field: string): boolean {
  return (MAPPABLE_FIELDS as readonly string[]).includes(field);
}

/**
 * The query an engine runs for one spec: derived fields replaced by their raw inputs, but for those in
 * `derive` (mappable ones, which the engine groups by from oddity's table of their values).
 */
export function countQueryFor(
  spec: CountSpec,
  { derive = new Set() }: { derive?: ReadonlySet<string> } = {},
): CountQuery {
  // A mapped field is grouped as itself unless the spec groups by its raw input anyway (params' `path`
  // beside `path_template`): then oddity derives it from that, and the engine joins nothing.
  const mapped = (field: string) => derive.has(field) && isMappable(field);
  const raws = new Set<string>();
  for (const field of spec.fields) {
    if (!mapped(canonicalField(field))) for (const raw of rawInputs(field)) raws.add(raw);
  }
  if (spec.bin !== undefined) for (const raw of rawInputs(spec.bin.field)) raws.add(raw);
  const fields = new Set<string>();
  for (const field of spec.fields) {
    const canonical = canonicalField(field);
    if (mapped(canonical) && !rawInputs(canonical).some((raw) => raws.has(raw))) fields.add(canonical);
    else for (const raw of rawInputs(field)) fields.add(raw);
  }
  let bin: CountBin | undefined;
  if (spec.bin !== undefined) {
    const field = canonicalField(spec.bin.field);
    // An engine bins a number it holds; anything derived or read from text is binned here instead.
    if (isNumericField(field)) bin = { field, relativeAccuracy: spec.bin.relativeAccuracy };
    else for (const raw of rawInputs(field)) fields.add(raw);
  }
  // In a canonical order, so specs grouping by the same fields in another order share one query.
  const list = [...fields].sort();
  const key = JSON.stringify([list, bin?.field ?? null, bin?.relativeAccuracy ?? null]);
  return bin === undefined ? { key, fields: list } : { key, fields: list, bin };
}

function textOf(value: FieldValue): string | null {
  return value === null ? null : String(value);
}

/** A record holding the raw values of one row, for computing derived fields as `observe` would. */
export function recordOf(fields: readonly string[], values: readonly FieldValue[]): LogRecord {
  // A literal, not `createRecord({})`'s spread: engines make one per distinct combination they return.
  const record = blankRecord("", 0, "");
  const target = record as unknown as Record<string, FieldValue>;
  fields.forEach((field, i) => {
    const value = values[i] ?? null;
    if (isMappable(field)) return;
    if (isRecordField(field)) target[field] = value;
    else if (value !== null) {
      record.extra ??= Object.create(null) as Record<string, string>;
      record.extra[field] = String(value);
    }
  });
  return record;
}

/**
 * A spec's rows from its query's raw rows: derived fields computed from the raw values, bins computed
 * here when the engine could not, and rows that now agree summed.
 */
export function deriveRows(spec: CountSpec, query: CountQuery, rows: readonly RawCountRow[]): CountRow[] {
  // A field the engine grouped by itself (a mapped derived field) is read from the row; others from the
  // record the row's raw values make, rows that share a path sharing its template.
  const cache = createFieldCache();
  const readers = spec.fields.map((f) => {
    const at = isMappable(canonicalField(f)) ? query.fields.indexOf(canonicalField(f)) : -1;
    if (at === -1) return { at, read: cache.reader(f) };
    return { at, read: null };
  });
  const binField = spec.bin === undefined ? null : canonicalField(spec.bin.field);
  const binHere = spec.bin !== undefined && query.bin === undefined;
  const direct = directRows(spec, query, rows, binHere);
  if (direct !== null) return direct;
  const out = new Map<string, { values: Array<string | null>; bin?: BinKey | null; count: number }>();
  for (const row of rows) {
    const record = recordOf(query.fields, row.values);
    const values = readers.map(({ at, read }) =>
      read === null ? textOf(row.values[at] ?? null) : read(record),
    );
    let bin: BinKey | null | undefined;
    if (spec.bin !== undefined) {
      if (binHere) {
        const n = getFieldNumber(record, binField!);
        bin = n === null ? null : binKey(n, spec.bin.relativeAccuracy);
      } else bin = row.bin ?? null;
    }
    const key = JSON.stringify([values, bin === undefined || bin === null ? null : [bin.sign, bin.key]]);
    const seen = out.get(key);
    if (seen) seen.count += row.count;
    else out.set(key, bin === undefined ? { values, count: row.count } : { values, bin, count: row.count });
  }
  return [...out.values()];
}

/**
 * A spec's rows when the engine grouped by exactly its fields (record fields or mapped derived ones) and
 * binned what it bins: each row is already one combination of the spec's values, so it is only read, not
 * re-keyed and summed. Null when some field must be derived or binned here.
 */
function directRows(
  spec: CountSpec,
  query: CountQuery,
  rows: readonly RawCountRow[],
  binHere: boolean,
): CountRow[] | null {
  if (binHere) return null;
  const fields = spec.fields.map((f) => canonicalField(f));
  const direct = (f: string) => isMappable(f) || isRecordField(f);
  if (
    new Set(fields).size !== query.fields.length ||
    !fields.every((f) => direct(f) && query.fields.includes(f))
  ) {
    return null;
  }
  // Record fields read as `fieldReader` reads them (numbers as text), from one scratch record.
  const scratch = createRecord({}) as unknown as Record<string, FieldValue>;
  const readers = fields.map((f) => {
    const at = query.fields.indexOf(f);
    if (isMappable(f)) return (row: RawCountRow) => textOf(row.values[at] ?? null);
    const read = fieldReader(f);
    return (row: RawCountRow) => {
      scratch[f] = row.values[at] ?? null;
      return read(scratch as unknown as LogRecord);
    };
  });
  return rows.map((row) => {
    const values = readers.map((read) => read(row));
    return spec.bin === undefined
      ? { values, count: row.count }
      : { values, bin: row.bin ?? null, count: row.count };
  });
}

/** The count tables of every detector in the plan, from an engine's results. */
export function countTables(plan: CountPlan, results: CountResults): CountTables[] {
  return plan.detectors.map(
    ({ specs }) =>
      new Map(
        specs.map(({ spec, query }) => {
          const rows = results.get(query.key);
          if (rows === undefined) throw new Error(`the engine returned no rows for ${query.key}`);
          return [spec.id, deriveRows(spec, query, rows)];
        }),
      ),
  );
}

/**
 * Counts the plan's queries over records in this process: the reference every engine must agree with,
 * and what the test kit compares a detector's counted fit with.
 */
export function countRecords(queries: readonly CountQuery[], records: Iterable<LogRecord>): CountResults {
  const tables = queries.map(() => new Map<string, RawCountRow & { values: FieldValue[] }>());
  const cache = createFieldCache();
  const readers = queries.map((q) =>
    q.fields.map((field): ((r: LogRecord) => FieldValue) =>
      isMappable(field)
        ? cache.reader(field)
        : isRecordField(field)
          ? (r: LogRecord) => r[field as keyof LogRecord] as FieldValue
          : (r: LogRecord) => (r.extra !== null && Object.hasOwn(r.extra, field) ? r.extra[field]! : null),
    ),
  );
  for (const record of records) {
    queries.forEach((query, q) => {
      const values = readers[q]!.map((read) => read(record));
      let bin: BinKey | null | undefined;
      if (query.bin !== undefined) {
        const n = record[query.bin.field as keyof LogRecord] as number | null;
        bin = n === null ? null : binKey(n, query.bin.relativeAccuracy);
      }
      const key = JSON.stringify([values, bin ? [bin.sign, bin.key] : null]);
      const seen = tables[q]!.get(key);
      if (seen) seen.count++;
      else tables[q]!.set(key, bin === undefined ? { values, count: 1 } : { values, bin, count: 1 });
    });
  }
  return new Map(queries.map((q, i) => [q.key, [...tables[i]!.values()]]));
}
