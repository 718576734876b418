import { performance } from "node:perf_hooks";
import {
  CATEGORICAL_FIELDS,
  ConditionalProfiler,
  DERIVED_FIELDS,
  FIELD_ALIASES,
  FieldProfiler,
  RECORD_FIELDS,
  isKnownField,
  nearest,
  type InputStats,
  type Rejection,
} from "@oddity/core";
import { colorEnabled, createPalette } from "../output/color.js";
import { profileCsv, profileJSON, profileTableText, type ProfileTable } from "../output/profile.js";
import { runSummary, type Reporter } from "../output/report.js";
import { openSink } from "../output/sink.js";
import { canSplit, usefulJobs } from "../parallel/pass.js";
import { createWorkerPool } from "../parallel/pool.js";
import {
  openPass,
  openRejects,
  passInWorkers,
  resolveInputs,
  startSession,
  tapBatches,
  warnRejections,
} from "./common.js";
import type { InputOptions, RunContext } from "./context.js";

/** Options of `oddity profile`. */
export interface ProfileOptions extends InputOptions {
  /** Fields to profile (default: core's categorical fields); with `given`, the targets. */
  fields?: string[] | undefined;
  /** Condition on this field: P(field | given) per given value. */
  given?: string | undefined;
  /** Rows per field (per given value with `given`); 0 for all. Default 20 for tables, all otherwise. */
  top?: number | undefined;
  /** Rarest first. */
  rare?: boolean | undefined;
  format?: "table" | "json" | "csv" | undefined;
  output?: string | undefined;
  color?: boolean | undefined;
  /** Worker threads over files; the tables are the same as with one. */
  jobs?: number | undefined;
}

const ALL_FIELD_NAMES = [...RECORD_FIELDS, ...DERIVED_FIELDS, ...Object.keys(FIELD_ALIASES)];

/** Warns about a field name that is neither a record field nor an alias: likely a typo. */
export function checkFieldName(field: string, reporter: Reporter): void {
  if (isKnownField(field)) return;
  const guess = nearest(field, ALL_FIELD_NAMES);
  reporter.warn(
    `"${field}" is not a known field${guess ? `; did you mean "${guess}"?` : ""} (reading it as a format extra field; records without it count as "-")`,
  );
}

/**
 * `oddity profile`: the lesson's value-frequency tables (count and probability per value) for each
 * field, or the conditional table P(field | given) per given value.
 */
export async function runProfile(options: ProfileOptions, ctx: RunContext): Promise<number> {
  const started = performance.now();
  const format = options.format ?? "table";
  const session = await startSession({ options, ctx, color: options.color });
  const inputs = resolveInputs({ given: options.inputs, config: session.config });
  const given = options.given;
  const fields =
    options.fields !== undefined && options.fields.length > 0
      ? [...new Set(options.fields)]
      : CATEGORICAL_FIELDS.filter((f) => f !== given);
  for (const field of given === undefined ? fields : [given, ...fields])
    checkFieldName(field, session.reporter);
  const sink = openSink({ output: options.output, stdout: ctx.stdout, env: ctx.env });
  const rejects = openRejects(options.rejects, ctx.stdout);
  try {
    const profiler = new FieldProfiler(given === undefined ? fields : []);
    const conditional =
      given === undefined ? [] : fields.map((field) => new ConditionalProfiler(given, field));
    const seen: { first: Rejection | null } = { first: null };
    const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
    const useful = await usefulJobs({ inputs, jobs, env: ctx.env });
    let stats: InputStats;
    if (useful > 1) {
      const pool = createWorkerPool(useful);
      const pass = await passInWorkers({
        pool,
        session,
        inputs,
        options,
        ctx,
        task: { kind: "profile", fields, given: given ?? null },
        label: "profiling",
      }).finally(() => pool.close());
      for (const result of pass.results) {
        if (result.profile === null) continue;
        profiler.addCounts(result.profile.fields);
        result.profile.conditional.forEach((counts, i) => conditional[i]!.addCounts(counts));
      }
      if (rejects !== null) await rejects.add(pass.joined.rejections);
      for (const warning of pass.joined.warnings) session.reporter.warn(warning);
      seen.first = pass.joined.firstRejection;
      stats = pass.joined.stats;
    } else {
      if (jobs > 1 && !canSplit(inputs))
        session.reporter.warn("--jobs applies to files only; stdin and databases are read in one job");
      const { stream, progress } = await openPass({ session, inputs, options, ctx, label: "profiling" });
      try {
        for await (const batch of tapBatches({ stream, rejects, strict: options.strict === true, seen })) {
          for (const record of batch.records) {
            profiler.observe(record);
            for (const c of conditional) c.observe(record);
          }
        }
      } finally {
        progress.stop();
      }
      for (const warning of stream.warnings) session.reporter.warn(warning);
      stats = stream.stats;
    }
    warnRejections({
      reporter: session.reporter,
      stats,
      first: seen.first,
      rejectsFile: options.rejects,
    });
    const top = options.top ?? (format === "table" ? 20 : 0);
    const limit = top === 0 ? Number.POSITIVE_INFINITY : top;
    const rare = options.rare === true;
    const tables: ProfileTable[] =
      given === undefined
        ? fields.map((field) => {
            const rows = profiler.table(field, { rare, limit });
            const distinct = profiler.distinct(field);
            return { key: field, rows, omitted: distinct - rows.length, distinct, conditional: false };
          })
        : conditional.map((c, i) => {
            const rows = c.table({ rare, limit });
            const distinct = c.distinct();
            return {
              key: `${fields[i]}|${given}`,
              rows,
              omitted: distinct - rows.length,
              distinct,
              conditional: true,
            };
          });
    const total = stats.parsed;
    if (format === "json") await sink.write(profileJSON({ total, tables }));
    else if (format === "csv") await sink.write(profileCsv(tables));
    else {
      const palette = createPalette(
        colorEnabled({ isTTY: sink.isTTY, noColor: options.color === false, env: ctx.env }),
      );
      await sink.write(profileTableText({ total, tables, width: sink.columns, palette }));
    }
    await sink.close();
    await rejects?.close();
    session.reporter.info(
      runSummary({
        stats,
        ms: performance.now() - started,
        palette: session.palette,
      }).trimEnd(),
    );
    return 0;
  } catch (error) {
    await sink.abort();
    await rejects?.abort();
    throw error;
  }
}
