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
  derivedMappings,
  MAPPABLE_FIELDS,
  isKnownField,
  nearest,
  type InputStats,
  type Rejection,
} from "@oddity/core";
import { isClickHouseInput } from "../input/clickhouse.js";
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
import { addCountedTables, offsetMinutes, profileSpecs } from "./profile-counts.js";

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
  /** With `engine`: the most memory it may hold before it spills (`--memory-limit`, `4GB`). */
  memoryLimit?: string | undefined;
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
  signal,
}: {
  options: ProfileOptions;
  session: Session;
  inputs: string[];
  signal: AbortSignal;
  profiler: FieldProfiler;
  conditional: ConditionalProfiler[];
}): Promise<{ stats: InputStats; rejections: Rejection[] }> {
  const { engineInputs, scanSettings, loadDuckDBEngine } = await import("./engine.js");
  const engine = await loadDuckDBEngine();
  const read = await engineInputs({
    inputs,
    format: session.format,
    column: session.database.column,
    engine,
  });
  for (const warning of read.warnings) session.reporter.warn(warning);
  const specs = profileSpecs({ profiler, conditional });
  // DuckDB groups by path_template and the like itself, from oddity's table of their values.
  const derive = new Set<string>(MAPPABLE_FIELDS);
  const queries = specs.map((spec) => countQueryFor(spec, { derive }));
  const { settings, release } = scanSettings({ read, options, signal });
  const counts = await engine
    .countLines({
      queries,
      derived: derivedMappings(queries),
      ...settings,
      onRecord: (record) => {
        profiler.observe(record);
        for (const c of conditional) c.observe(record);
      },
    })
    .finally(release);
  addCountedTables({
    profiler,
    conditional,
    specs,
    queries,
    results: counts.results,
    records: counts.records,
  });
  return { stats: counts.stats, rejections: counts.rejections };
}

const ALL_FIELD_NAMES = [...RECORD_FIELDS, ...DERIVED_FIELDS, ...Object.keys(FIELD_ALIASES)];

/** An epoch-millisecond time as ISO 8601 in a fixed offset: `2019-04-16T20:34:42+01:00`. */
export function isoInOffset(ms: number, offset: number): string {
  const shifted = new Date(ms + offset * 60_000).toISOString().replace(/\.000Z$|Z$/, "");
  const abs = Math.abs(offset);
  const sign = offset < 0 ? "-" : "+";
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

// Rewrites the `time` values of profile tables (epoch ms) as ISO times in `offset`.
function showTimes(tables: ProfileTable[], offset: number): void {
  const show = (value: string) => {
    const ms = Number(value);
    return value !== "" && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? isoInOffset(ms, offset) : value;
  };
  for (const table of tables) {
    const [field, given] = table.key.split("|");
    table.rows = table.rows.map((row) => ({
      ...row,
      ...(field === "time" ? { value: show(row.value) } : {}),
      ...(given === "time" && row.given !== undefined ? { given: show(row.given) } : {}),
    }));
  }
}

// The offset of the first timed record of the inputs (files: worker passes saw the records elsewhere).
async function firstOffset({
  session,
  inputs,
  options,
  ctx,
}: {
  session: Session;
  inputs: Parameters<typeof openPass>[0]["inputs"];
  options: ProfileOptions;
  ctx: RunContext;
}): Promise<number | null> {
  const { stream, progress } = await openPass({
    session,
    inputs,
    options: { ...options, quiet: true },
    ctx,
    label: "",
  });
  try {
    for await (const batch of stream)
      for (const record of batch.records) {
        const offset = offsetMinutes(record.time_text);
        if (offset !== null) return offset;
      }
    return null;
  } finally {
    progress.stop();
  }
}

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
  const inputs = resolveInputs({ given: options.inputs, config: session.config, stdin: ctx.stdin });
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
    // Epoch times print as ISO 8601 in the log's own offset, read from its first timed record.
    const showsTime = fields.includes("time") || given === "time";
    let offset: number | null = null;
    const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
    const useful = await usefulJobs({ inputs, jobs, env: ctx.env });
    let stats: InputStats;
    // A raw-line column of common or combined lines is split and counted in the cluster.
    const linesCounted =
      session.database.column !== undefined && inputs.some(isClickHouseInput)
        ? await import("./clickhouse-lines.js").then(({ profileLinesOnClickHouse }) =>
            profileLinesOnClickHouse({
              inputs,
              session,
              options,
              profiler,
              conditional,
              env: ctx.env,
              signal: ctx.signal,
            }),
          )
        : null;
    if (linesCounted !== null) {
      stats = linesCounted.stats;
      offset = linesCounted.offset;
      seen.first = linesCounted.rejections[0] ?? null;
      if (rejects !== null) await rejects.add(linesCounted.rejections);
    } else if (session.database.column === undefined && inputs.some(isClickHouseInput)) {
      // A table of parsed requests is counted in the cluster; other lines are read below.
      const { profileOnClickHouse } = await import("./profile-clickhouse.js");
      const counted = await profileOnClickHouse({ inputs, session, profiler, conditional, env: ctx.env });
      stats = counted.stats;
      offset = counted.offset;
    } else if (options.engine === "duckdb") {
      const counted = await profileOnDuckDB({
        options,
        session,
        inputs,
        profiler,
        conditional,
        signal: ctx.signal,
      });
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
      if (showsTime) offset = await firstOffset({ session, inputs, options, ctx });
    } else {
      if (jobs > 1 && !canSplit(inputs))
        session.reporter.warn("--jobs applies to files only; stdin and databases are read in one job");
      const { stream, progress } = await openPass({ session, inputs, options, ctx, label: "profiling" });
      try {
        for await (const batch of tapBatches({ stream, rejects, strict: options.strict === true, seen })) {
          for (const record of batch.records) {
            if (showsTime && offset === null) offset = offsetMinutes(record.time_text);
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
    if (showsTime) showTimes(tables, offset ?? 0);
    const total = stats.parsed;
    if (format === "json") await sink.write(profileJSON({ total, tables }));
    else if (format === "csv") await sink.write(profileCsv(tables));
    else {
      const palette = createPalette(
        colorEnabled({ isTTY: sink.isTTY, noColor: options.color === false, env: ctx.env }),
      );
      await sink.write(
        profileTableText({
          total,
          tables,
          width: sink.isTTY ? sink.columns : Number.POSITIVE_INFINITY,
          palette,
        }),
      );
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
