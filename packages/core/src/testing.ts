import type { AnyDetectorDefinition, DetectorHooks } from "./detector.js";
import type { Finding } from "./finding.js";
import { createPipeline } from "./pipeline.js";
import { createRecord, type LogRecord } from "./record.js";

let counter = 0;

/**
 * A record for tests: anything not given gets a plain, valid default (a `GET /` 200 from 10.0.0.1), and
 * `raw` is rebuilt as a combined-format line so messages and outputs look real.
 */
export function makeRecord(fields: Partial<LogRecord> = {}): LogRecord {
  counter++;
  const base = createRecord({
    source: "test.log",
    line: counter,
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

/** Many records from a compact table: `[{ times: 3, user_agent: "curl/8" }, ...]`. */
export function makeRecords(rows: Array<Partial<LogRecord> & { times?: number }>): LogRecord[] {
  const records: LogRecord[] = [];
  for (const { times = 1, ...fields } of rows) {
    for (let i = 0; i < times; i++) records.push(makeRecord(fields));
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
  hooks.prepare?.(state);
  return { hooks, state, score: (record) => hooks.score(state, record), warnings: pipeline.warnings };
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
  hooks.prepare?.(state);
  return { hooks, state, score: (record) => hooks.score(state, record), warnings: pipeline.warnings };
}

/** Round-trips a fitted detector through JSON text, as saving and loading a model does. */
export function roundTrip(fitted: FittedDetector): FittedDetector {
  const json: unknown = JSON.parse(JSON.stringify(fitted.hooks.toJSON(fitted.state)));
  const state = fitted.hooks.fromJSON(json);
  fitted.hooks.prepare?.(state);
  return { ...fitted, state, score: (record) => fitted.hooks.score(state, record) };
}
