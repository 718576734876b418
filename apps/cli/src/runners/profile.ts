import { performance } from "node:perf_hooks";
import {
  CATEGORICAL_FIELDS,
  ConditionalProfiler,
  DERIVED_FIELDS,
  FIELD_ALIASES,
  FieldProfiler,
  InputError,
  RECORD_FIELDS,
  countQueryFor,
  deriveRows,
  type CountSpec,
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
  type Session,
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
  /** Count in this engine (with `jobs` threads) instead of reading records in Node. */
  engine?: "duckdb" | undefined;
}

/**
 * Counts the profile's tables in DuckDB: one grouped count per table, derived fields computed from the
 * distinct raw values; records of lines handed back to oddity's parser are observed as usual.
 */
async function profileOnDuckDB({
  options,
  session,
  inputs,
  profiler,
  conditional,
}: {
  options: ProfileOptions;
  session: Session;
  inputs: string[];
  profiler: FieldProfiler;
  conditional: ConditionalProfiler[];
}): Promise<{ stats: InputStats; rejections: Rejection[] }> {
  const { engineInputs, loadDuckDBEngine } = await import("./engine.js");
  const engine = await loadDuckDBEngine();
  const { files, layout } = await engineInputs({ inputs, format: session.format });
  const specs: CountSpec[] = [
    ...profiler.fields.map((field, i) => ({ id: `field:${i}`, fields: [field] })),
    ...conditional.map((c, i) => ({ id: `pair:${i}`, fields: [c.given, c.target] })),
  ];
  const queries = specs.map(countQueryFor);
  const counts = await engine.countLines({
    queries,
    files,
    layout,
    threads: options.jobs ?? 1,
    ...(options.maxLineLength === undefined ? {} : { maxLineLength: options.maxLineLength }),
    onRecord: (record) => {
      profiler.observe(record);
      for (const c of conditional) c.observe(record);
    },
  });
  const rows = (i: number) => deriveRows(specs[i]!, queries[i]!, counts.results.get(queries[i]!.key) ?? []);
  const NONE = "-";
  profiler.addCounts({
    fields: [...profiler.fields],
    total: counts.records,
    counts: profiler.fields.map((_, i) => rows(i).map((r) => [r.values[0] ?? NONE, r.count])),
  });
  conditional.forEach((c, i) => {
    const cells = new Map<string, Array<[string, number]>>();
    for (const r of rows(profiler.fields.length + i)) {
      const given = r.values[0] ?? NONE;
      let inner = cells.get(given);
      if (inner === undefined) cells.set(given, (inner = []));
      inner.push([r.values[1] ?? NONE, r.count]);
    }
    c.addCounts({ given: c.given, target: c.target, total: counts.records, cells: [...cells] });
  });
  return { stats: counts.stats, rejections: counts.rejections };
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
    if (options.engine === "duckdb") {
      const counted = await profileOnDuckDB({ options, session, inputs, profiler, conditional });
      stats = counted.stats;
      seen.first = counted.rejections[0] ?? null;
      if (options.strict === true && seen.first !== null) {
        throw new InputError(`${seen.first.source}:${seen.first.line}: ${seen.first.reason}`);
      }
      if (rejects !== null) await rejects.add(counted.rejections);
    } else if (useful > 1) {
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
