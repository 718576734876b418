import {
  InputError,
  createRecord,
  emptyStats,
  z,
  type LineParser,
  type LogRecord,
  type Model,
  type ScoredRecord,
} from "@oddity/core";
import { assembleReport } from "./build.js";
import { createReportCollector, type ReportCollector } from "./collector.js";
import type { ReportData, ReportDetector } from "./types.js";

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const finite = z.number().refine(Number.isFinite, "expected a finite number");

const findingSchema = z.object({
  detector: z.string(),
  kind: z.string().default("finding"),
  fields: z.array(z.string()),
  values: z.array(z.string()),
  probability: finite,
  surprisal: z.number().nonnegative(),
  threshold: z
    .object({ name: z.string(), direction: z.enum(["below", "above"]), value: finite })
    .default({ name: "threshold", direction: "below", value: 0 }),
  counts: z.record(z.string(), z.number()).default({}),
  message: z.string(),
  statistics: z.record(z.string(), z.number()).optional(),
});

const timeSchema = z.union([finite, z.iso.datetime({ offset: true }), z.null()]).optional();

const anomalySchema = z.object({
  source: z.string(),
  line: count,
  raw: z.string(),
  score: z.number().nonnegative(),
  time: timeSchema,
  time_text: z.string().nullable().optional(),
  // The CLI's incident id: hex, so it is safe in an attribute and a URL fragment.
  incident: z
    .string()
    .regex(/^[0-9a-f]{1,64}$/)
    .optional(),
  findings: z.array(findingSchema),
});

const detectorSchema = z.union([
  z.string().transform((id) => ({ id })),
  z.object({ id: z.string(), use: z.string().optional(), name: z.string().optional(), options: z.unknown() }),
]);

const resultsSchema = z.object({
  summary: z
    .object({
      read: count.default(0),
      parsed: count.default(0),
      rejected: count.default(0),
      blank: count.default(0),
      bytes: count.default(0),
      flagged: count.optional(),
      format: z.string().nullable().optional(),
      inputs: z.array(z.string()).default([]),
      warnings: z.array(z.string()).default([]),
      detectors: z.array(detectorSchema).default([]),
    })
    .default({
      read: 0,
      parsed: 0,
      rejected: 0,
      blank: 0,
      bytes: 0,
      inputs: [],
      warnings: [],
      detectors: [],
    }),
  anomalies: z.array(anomalySchema),
});

/** The saved output of `oddity detect --format json`, as validated. */
export type SavedResults = z.infer<typeof resultsSchema>;

/** What {@link reportDataFromResults} needs; give `results`, `model`, or both. */
export interface ResultsReportInput {
  /**
   * The parsed JSON written by `oddity detect --format json`: `{ summary: { read, parsed, rejected,
   * blank, flagged, format, inputs, warnings, detectors }, anomalies: [{ source, line, raw, score,
   * findings, time? }] }` (ranked). Summary keys are optional; an anomaly's `time` (epoch ms or ISO) is
   * used when present, else recovered from `raw` with `parser`.
   */
  results?: unknown;
  /** The model the results were scored against (`modelFromJSON`): gives the charts and detector list. */
  model?: Model;
  /**
   * Re-parses each anomaly's raw line, so the timeline and the distribution charts can place it
   * (pass `createParser(...)` for the run's format). Lines it rejects keep only source, line and raw.
   */
  parser?: LineParser;
  /**
   * A collector that saw the scored inputs again (e.g. the CLI re-read them): gives the full
   * timeline. Without it the timeline shows only the listed anomalies.
   */
  collector?: ReportCollector;
  /** Names the results in error messages, e.g. the file path. */
  where?: string;
  generatedBy?: string;
  title?: string;
  now?: Date;
}

function recordOf(anomaly: SavedResults["anomalies"][number], parser: LineParser | undefined): LogRecord {
  let record: LogRecord | null = null;
  if (parser) {
    const parsed = parser.parse(anomaly.raw, anomaly.source, anomaly.line);
    if (typeof parsed !== "string") record = parsed;
  }
  record ??= createRecord({ source: anomaly.source, line: anomaly.line, raw: anomaly.raw });
  if (anomaly.time !== undefined && anomaly.time !== null) {
    record.time = typeof anomaly.time === "number" ? anomaly.time : Date.parse(anomaly.time);
  }
  if (typeof anomaly.time_text === "string") record.time_text = anomaly.time_text;
  return record;
}

/**
 * Builds report data for `oddity report`: from saved `detect --format json` results, a saved model, or
 * both. The model supplies the charts (its detectors' summaries), the detector list and the baseline;
 * the results supply the run's totals and the ranked anomalies. Throws {@link InputError} naming
 * `where` and the first problem when the results are not detect output, or when neither is given.
 */
export function reportDataFromResults(input: ResultsReportInput): ReportData {
  const { results, model, parser, collector, where = "results", generatedBy, title, now } = input;
  if (results === undefined && model === undefined) {
    throw new InputError("oddity report needs saved results (detect --format json), a model, or both");
  }
  let saved: SavedResults | null = null;
  if (results !== undefined) {
    const parsed = resultsSchema.safeParse(results);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(
        `${where}: not the JSON output of oddity detect: ${issue.path.join(".") || "top level"}: ${issue.message}`,
      );
    }
    saved = parsed.data;
  }
  const anomalies: ScoredRecord[] = (saved?.anomalies ?? []).map((a) => ({
    record: recordOf(a, parser),
    score: a.score,
    findings: a.findings,
  }));
  let timeline = collector && collector.requests > 0 ? collector.timeline() : null;
  if (timeline === null && anomalies.length > 0) {
    const partial = createReportCollector();
    for (const a of anomalies) partial.observe(a.record, a);
    const drawn = partial.timeline();
    timeline = drawn.buckets.length > 0 ? { ...drawn, complete: false } : null;
  }
  const summary = saved?.summary;
  const stats = summary
    ? {
        read: summary.read,
        parsed: summary.parsed,
        rejected: summary.rejected,
        blank: summary.blank,
        bytes: summary.bytes,
      }
    : emptyStats();
  const detectors: ReportDetector[] = (summary?.detectors ?? []).map((d) => ({
    id: d.id,
    use: "use" in d && d.use !== undefined ? d.use : d.id,
    name: "name" in d && d.name !== undefined ? d.name : d.id,
    description: "",
    options: "options" in d ? (JSON.parse(JSON.stringify(d.options ?? null)) as unknown) : null,
  }));
  return assembleReport({
    model: model ?? null,
    stats,
    inputs: summary?.inputs ?? model?.meta.sources ?? [],
    format: summary?.format ?? null,
    anomalies,
    timeline,
    flagged: summary?.flagged ?? collector?.flagged ?? anomalies.length,
    warnings: summary?.warnings ?? [],
    detectors,
    generatedBy,
    title,
    now,
    incidentOf: (_, i) => saved?.anomalies[i]?.incident ?? null,
  });
}
