import { isDeepStrictEqual } from "node:util";
import type { AnyDetectorDefinition, DetectorHooks } from "./detector.js";
import type { FieldCache } from "./field-cache.js";
import type { Finding } from "./finding.js";
import { MAPPABLE_FIELDS, countRecords, countTables, planCounts } from "./counted.js";
import { footprintFindings, footprintRecord } from "./candidates.js";
import { canonicalField } from "./fields.js";
import { readInputs } from "./input/read.js";
import type { FormatSpec } from "./input/types.js";
import { createPipeline, type Pipeline } from "./pipeline.js";
import { createRecord, type LogRecord } from "./record.js";

/**
 * A record for tests: anything not given gets a plain, valid default (a `GET /` 200 from 10.0.0.1 on
 * line 1 of `test.log`), and `raw` is rebuilt as a combined-format line so messages and outputs look
 * real. Give `line` where records must be told apart by it; {@link makeRecords} numbers its records.
 */
export function makeRecord(fields: Partial<LogRecord> = {}): LogRecord {
  const base = createRecord({
    source: "test.log",
    line: 1,
    ip: "10.0.0.1",
    ident: "-",
    user: "-",
    time: Date.UTC(2019, 3, 16, 19, 34, 42),
    time_text: "16/Apr/2019:19:34:42 +0000",
    method: "GET",
    path: "/",
    http_version: "HTTP/1.1",
    status: 200,
    size: 42,
    referer: null,
    user_agent: "python-requests/2.21.0",
    ...fields,
  });
  if (fields.raw === undefined) {
    base.raw = `${base.ip ?? "-"} ${base.ident ?? "-"} ${base.user ?? "-"} [${base.time_text ?? "-"}] "${base.method ?? ""} ${base.path ?? ""} ${base.http_version ?? ""}" ${base.status ?? "-"} ${base.size ?? "-"} "${base.referer ?? "-"}" "${base.user_agent ?? "-"}"`;
  }
  return base;
}

/**
 * Many records from a compact table: `[{ times: 3, user_agent: "curl/8" }, ...]`, on lines 1, 2, 3 ... of
 * `test.log` in table order (a row that gives `line` keeps it).
 */
export function makeRecords(rows: Array<Partial<LogRecord> & { times?: number }>): LogRecord[] {
  const records: LogRecord[] = [];
  for (const { times = 1, ...fields } of rows) {
    for (let i = 0; i < times; i++) records.push(makeRecord({ line: records.length + 1, ...fields }));
  }
  return records;
}

/** A detector fitted on a baseline, ready to score. */
export interface FittedDetector<State = unknown> {
  hooks: DetectorHooks<State>;
  state: State;
  /** Findings for one record. */
  score(record: LogRecord): readonly Finding[];
  /** Warnings the detector raised. */
  warnings: string[];
  /** Its pipeline's field cache: the value codes the detector counted by, the templates it read. */
  fields: FieldCache;
}

/** The first detector of `pipeline` with `state`, prepared, as a plugin test scores with it. */
function preparedDetector({ pipeline, state }: { pipeline: Pipeline; state: unknown }): FittedDetector {
  const { hooks } = pipeline.detectors[0]!;
  hooks.prepare?.(state);
  return {
    hooks,
    state,
    score: (record) => hooks.score(state, record),
    warnings: pipeline.warnings,
    fields: pipeline.fields,
  };
}

/**
 * Validates options exactly as the host does, fits the detector on `records` and runs `prepare`, so a
 * plugin test reads: `const fitted = fitDetector({ detector, options, records }); fitted.score(r)`.
 */
export function fitDetector({
  detector,
  options,
  records,
  id,
}: {
  detector: AnyDetectorDefinition;
  options?: unknown;
  records: Iterable<LogRecord>;
  id?: string;
}): FittedDetector {
  const pipeline = createPipeline({
    detectors: [{ use: detector.meta.name, id, options, definition: detector }],
  });
  const { hooks } = pipeline.detectors[0]!;
  const state: unknown = hooks.init();
  for (const record of records) hooks.observe(state, record);
  return preparedDetector({ pipeline, state });
}

/** Fits on shards separately and merges, for "merge equals whole fit" tests. */
export function fitDetectorOnShards({
  detector,
  options,
  shards,
}: {
  detector: AnyDetectorDefinition;
  options?: unknown;
  shards: LogRecord[][];
}): FittedDetector {
  const pipeline = createPipeline({
    detectors: [{ use: detector.meta.name, options, definition: detector }],
  });
  const { hooks } = pipeline.detectors[0]!;
  const states = shards.map((shard) => {
    const state: unknown = hooks.init();
    for (const record of shard) hooks.observe(state, record);
    return state;
  });
  const state = states.reduce((a, b) => hooks.merge(a, b));
  return preparedDetector({ pipeline, state });
}

/** Round-trips a fitted detector through JSON text, as saving and loading a model does. */
export function roundTrip(fitted: FittedDetector): FittedDetector {
  const json: unknown = JSON.parse(JSON.stringify(fitted.hooks.toJSON(fitted.state)));
  const state = fitted.hooks.fromJSON(json);
  fitted.hooks.prepare?.(state);
  return { ...fitted, state, score: (record) => fitted.hooks.score(state, record) };
}

/**
 * Reads log files with the reader the host uses and returns their records; throws an error naming
 * `source:line` and the reason at the first line it rejects, so a fixture that stops parsing fails the
 * test instead of silently shrinking it.
 */
export async function readRecords({
  files,
  format,
  strict = true,
}: {
  files: readonly string[];
  /** As `readInputs` takes it; sniffed from the first lines when absent. */
  format?: FormatSpec;
  /** False to leave out the lines that are not records (a real log's odd lines) instead of throwing. */
  strict?: boolean;
}): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const stream = readInputs({ inputs: files, format, strict });
  for await (const batch of stream) records.push(...batch.records);
  return records;
}

/** Names that break code keying plain objects by log values: each is a property of `Object.prototype`. */
export const HOSTILE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty"] as const;

/** The text fields of a record a test can rename: `ip`, `user_agent`, `path` ... */
export type TextField = Exclude<
  { [K in keyof LogRecord]: LogRecord[K] extends string | null ? K : never }[keyof LogRecord],
  "source" | "raw"
>;

/**
 * Values to rename, field by field: original value → the name it takes. A new name must not already be
 * a value of its field, or two values would become one.
 */
export type ValueRenames = Partial<Record<TextField, ReadonlyMap<string, string>>>;

/**
 * Renames the given values of each field to `HOSTILE_NAMES` in turn, continuing across fields so that a
 * few values use every name: `hostileRenames({ ip: ["10.0.0.1"], path: ["/", "/login"] })`.
 */
export function hostileRenames(values: Partial<Record<TextField, readonly string[]>>): ValueRenames {
  const renames: ValueRenames = {};
  let next = 0;
  for (const [field, list] of Object.entries(values) as Array<[TextField, readonly string[]]>) {
    if (new Set(list).size !== list.length || list.length > HOSTILE_NAMES.length) {
      throw new Error(
        `${field}: give at most ${HOSTILE_NAMES.length} distinct values, one for each hostile name`,
      );
    }
    renames[field] = new Map(list.map((value) => [value, HOSTILE_NAMES[next++ % HOSTILE_NAMES.length]!]));
  }
  return renames;
}

/** A copy of `record` with the values named in `renames` renamed; other values stay as they are. */
export function renameValues(record: LogRecord, renames: ValueRenames): LogRecord {
  const renamed = createRecord(record);
  for (const [field, map] of Object.entries(renames) as Array<[TextField, ReadonlyMap<string, string>]>) {
    const value = record[field];
    if (value !== null) renamed[field] = map.get(value) ?? value;
  }
  return renamed;
}

/** A finding without its message and subject: the facts that two fits can be compared on. */
export type FindingFacts = Omit<Finding, "message" | "subject">;

/**
 * The finding without its message and subject, which quote values and so differ between renamed and
 * original.
 */
export function withoutMessage(finding: Finding): FindingFacts {
  const { message: _message, subject: _subject, ...facts } = finding;
  return facts;
}

/**
 * A finding made on renamed records (see `renameValues`), told in the original values: what a fit on the
 * original records must have found, if the detector counts every value alike whatever its name.
 */
export function inOriginalValues(finding: Finding, renames: ValueRenames): FindingFacts {
  const facts = withoutMessage(finding);
  const original = (value: string, i: number): string => {
    const field = finding.fields[i];
    const map =
      field !== undefined && Object.hasOwn(renames, field) ? renames[field as TextField] : undefined;
    for (const [from, to] of map ?? []) if (to === value) return from;
    return value;
  };
  return { ...facts, values: finding.values.map(original) };
}

/** What a test fits a detector on. */
export interface FitInput {
  detector: AnyDetectorDefinition;
  options?: unknown;
  records: readonly LogRecord[];
}

/** One way a host builds a detector's state from records, named for test titles. */
export interface FitWay {
  name: string;
  fit: (input: FitInput) => FittedDetector;
}

/**
 * The ways a host builds a detector's state: fitted whole, merged from shards (as `fit --jobs` and
 * per-day models do), and loaded from a saved model. All must judge alike, so a test can run each:
 * `it.each(FIT_WAYS)("... when $name", ({ fit }) => ...)`.
 */
export const FIT_WAYS: readonly FitWay[] = [
  { name: "fitted whole", fit: (input) => fitDetector(input) },
  {
    name: "merged from three shards",
    fit: ({ records, ...rest }) => {
      const third = Math.ceil(records.length / 3);
      const shards = [0, 1, 2].map((i) => records.slice(i * third, (i + 1) * third));
      return fitDetectorOnShards({ ...rest, shards });
    },
  },
  { name: "loaded from a saved model", fit: (input) => roundTrip(fitDetector(input)) },
];

/** What renaming values changed in a detector's verdicts: nothing, for a detector that counts all alike. */
export interface RenamingEffects {
  /** Records judged differently once renamed (`at` is `source:line`), findings told in original values. */
  differences: Array<{ at: string; expected: FindingFacts[]; found: FindingFacts[] }>;
  /** Properties `Object.prototype` gained while fitting and scoring: log values written into a plain object. */
  prototypeAdded: string[];
}

/**
 * Fits `detector` on `records` and, by `fit` (default: whole), on their copies with `renames` applied,
 * scores each set with its own fit and compares the findings told in the original values. Throws when the
 * renames change no record, or when no finding of the original fit names a renamed value: the comparison
 * would then prove nothing.
 */
export function renamingEffects({
  detector,
  options,
  records,
  renames,
  fit = fitDetector,
}: FitInput & { renames: ValueRenames; fit?: (input: FitInput) => FittedDetector }): RenamingEffects {
  const prototypeBefore = new Set(Object.getOwnPropertyNames(Object.prototype));
  const fields = Object.keys(renames) as TextField[];
  const renamed = records.map((record) => renameValues(record, renames));
  if (records.every((record, i) => fields.every((field) => record[field] === renamed[i]![field]))) {
    throw new Error("the renames match no value of the records");
  }
  const renamedValues = new Set(Object.values(renames).flatMap((map) => [...map.keys()]));
  const baseline = fitDetector({ detector, options, records });
  const fitted = fit({ detector, options, records: renamed });
  const differences: RenamingEffects["differences"] = [];
  let judged = 0;
  records.forEach((record, i) => {
    const expected = baseline.score(record).map(withoutMessage);
    const found = fitted.score(renamed[i]!).map((finding) => inOriginalValues(finding, renames));
    judged += expected.filter((finding) => finding.values.some((value) => renamedValues.has(value))).length;
    if (!isDeepStrictEqual(found, expected)) {
      differences.push({ at: `${record.source}:${record.line}`, expected, found });
    }
  });
  if (judged === 0) throw new Error("no finding of the fit on the original records names a renamed value");
  const prototypeAdded = Object.getOwnPropertyNames(Object.prototype).filter(
    (key) => !prototypeBefore.has(key),
  );
  return { differences, prototypeAdded };
}

/**
 * Fits a detector the way an engine does: its declared counts (`counts`) are computed over `records`
 * by the in-process reference counter, derived fields are computed from the distinct raw values (or,
 * those in `derive`, grouped by as an engine that joins oddity's table of their values does), and
 * `foldCounts` builds the state. Throws the host's error for a detector that declares no counts.
 */
export function fitDetectorByCounts({
  detector,
  options,
  records,
  id,
  derive = [],
}: FitInput & { id?: string; derive?: readonly string[] }): FittedDetector {
  const pipeline = createPipeline({
    detectors: [{ use: detector.meta.name, id, options, definition: detector }],
  });
  const plan = planCounts(pipeline, "the counted fit", { derive });
  const tables = countTables(plan, countRecords(plan.queries, records))[0]!;
  const { hooks } = pipeline.detectors[0]!;
  const state: unknown = hooks.init();
  hooks.foldCounts!(state, tables);
  return preparedDetector({ pipeline, state });
}

/** The first key path where two JSON values differ, or null when they are equal. */
function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`,
      );
      if (found !== null) return found;
    }
  }
  const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 200);
  return `${path}: record by record ${show(a)}, from counts ${show(b)}`;
}

/**
 * Checks that the detector's counted fit ({@link fitDetectorByCounts}) saves the very state its
 * record-by-record fit saves, and that both judge every record alike; throws naming the first
 * difference. It checks both ways an engine counts: derived fields grouped by their raw inputs, and
 * the mappable ones grouped by themselves. Run it on records that exercise every value kind the
 * detector reads (absent fields, numbers, hostile names): `checkCountedFit({ detector, options, records })`.
 */
export function checkCountedFit(input: FitInput): void {
  const observed = fitDetector(input);
  const expected: unknown = JSON.parse(JSON.stringify(observed.hooks.toJSON(observed.state)));
  for (const derive of [[], MAPPABLE_FIELDS]) {
    const way = derive.length === 0 ? "" : " (derived fields grouped by the engine)";
    const counted = fitDetectorByCounts({ ...input, derive });
    const difference = firstDifference(
      expected,
      JSON.parse(JSON.stringify(counted.hooks.toJSON(counted.state))),
      "state",
    );
    if (difference !== null) throw new Error(`the counted fit${way} differs: ${difference}`);
    for (const record of input.records) {
      const a = observed.score(record);
      const b = counted.score(record);
      if (!isDeepStrictEqual(a, b)) {
        throw new Error(`the counted fit${way} judges ${record.source}:${record.line} differently`);
      }
    }
    if (!isDeepStrictEqual(observed.warnings, counted.warnings)) {
      throw new Error(`the counted fit${way} warns differently: ${JSON.stringify(counted.warnings)}`);
    }
  }
}

/**
 * Checks a detector's `footprints` (see `DetectorHooks.footprints`) on records fitted record by record:
 * every finding lies in some footprint, and for each footprint the findings within it are the very ones
 * a record holding only that footprint's values gets. Throws naming the first record that breaks it.
 */
export function checkFootprints(input: FitInput): void {
  const fitted = fitDetector(input);
  const footprints = fitted.hooks.footprints;
  if (footprints === undefined) throw new Error("the detector declares no footprints");
  let found = 0;
  for (const record of input.records) {
    const at = `${record.source}:${record.line}`;
    const findings = fitted.score(record);
    found += findings.length;
    for (const finding of findings) {
      const inside = footprints.some((fields) => {
        const set = new Set(fields.map(canonicalField));
        return finding.fields.every((field) => set.has(canonicalField(field)));
      });
      if (!inside) {
        throw new Error(`${at}: a finding on ${finding.fields.join(", ")} lies in no footprint`);
      }
    }
    for (const footprint of footprints) {
      const { hooks, state } = fitted;
      const own = footprintFindings({ hooks, state, footprint, record });
      const alone = footprintFindings({
        hooks,
        state,
        footprint,
        record: footprintRecord(footprint, record),
      });
      if (!isDeepStrictEqual(asWritten(alone), asWritten(own))) {
        throw new Error(
          `${at}: the findings within footprint [${footprint.join(", ")}] depend on other fields: ${JSON.stringify(own.map((f) => f.message))} with them, ${JSON.stringify(alone.map((f) => f.message))} without`,
        );
      }
    }
  }
  if (found === 0) throw new Error("no record has a finding: give records the detector flags");
}

// Compared as they are written out: an absent property and one set to undefined are alike.
function asWritten(findings: readonly Finding[]): unknown {
  return JSON.parse(JSON.stringify(findings)) as unknown;
}
