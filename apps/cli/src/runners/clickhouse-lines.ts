import {
  ConfigError,
  InputError,
  UserError,
  countQueryFor,
  planCounts,
  type ConditionalProfiler,
  type FieldProfiler,
  type InputStats,
  type Model,
  type Pipeline,
  type Rejection,
} from "@oddity/core";
import type { ClickHouseClient } from "@clickhouse/client";
import type { LineSplitPlan } from "@oddity/source-clickhouse";
import { isClickHouseInput, loadClickHouse } from "../input/clickhouse.js";
import type { Session } from "./common.js";
import type { InputOptions } from "./context.js";
import { addCountedTables, offsetMinutes, profileSpecs } from "./profile-counts.js";

type Module = Awaited<ReturnType<typeof loadClickHouse>>;

/**
 * Runs `work` on the raw-line column of one clickhouse:// table, split in ClickHouse SQL; null when the
 * column is not one the SQL splits (its lines are not common or combined) or the run is not a single
 * table's column, for the caller to stream the rows as before.
 */
async function withLineSplit<T>({
  inputs,
  session,
  options,
  env,
  signal,
  work,
}: {
  inputs: readonly string[];
  session: Session;
  options: Pick<InputOptions, "maxLineLength">;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  work: (args: { module: Module; client: ClickHouseClient; plan: LineSplitPlan }) => Promise<T>;
}): Promise<T | null> {
  const { table, column, primaryKey, query } = session.database;
  if (inputs.length !== 1 || !isClickHouseInput(inputs[0])) return null;
  // Errors about the arguments are the streamed read's own.
  if (column === undefined || table === undefined || query !== undefined) return null;
  const module = await loadClickHouse();
  const target = module.source.parseClickHouseUrl({ url: inputs[0]!, env });
  const client = await module.source.connectClickHouse(target);
  try {
    const plan = await module.source.planLineSplit({
      client,
      target,
      table,
      column,
      primaryKey,
      format: session.format,
      maxLineLength: options.maxLineLength,
      signal,
    });
    if (plan === null) return null;
    for (const warning of plan.warnings) session.reporter.warn(warning);
    return await work({ module, client, plan });
  } catch (error) {
    if (signal.aborted || error instanceof UserError) throw error;
    throw module.source.connectionError(target, error);
  } finally {
    await client.close();
  }
}

function strictly(rejections: readonly Rejection[], strict: boolean | undefined): void {
  const first = rejections[0];
  if (strict === true && first !== undefined)
    throw new InputError(`${first.source}:${first.line}: ${first.reason}`);
}

/**
 * `oddity fit clickhouse://… --table T --column C`: the lines are split and counted in ClickHouse, only
 * the count rows and the lines the SQL does not split come back (those are parsed by oddity's parser).
 * The model, stats and rejections are the streamed read's. Null when the rows must be streamed instead:
 * lines of another format, or a detector that declares no counts.
 */
export async function fitLinesOnClickHouse({
  pipeline,
  inputs,
  session,
  options,
  env,
  signal,
}: {
  pipeline: Pipeline;
  inputs: readonly string[];
  session: Session;
  options: Pick<InputOptions, "maxLineLength" | "strict">;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
}): Promise<{ model: Model; stats: InputStats; firstRejection: Rejection | null } | null> {
  try {
    planCounts(pipeline, "ClickHouse");
  } catch (error) {
    // A detector that learns record by record reads the streamed rows.
    if (error instanceof ConfigError) return null;
    throw error;
  }
  return withLineSplit({
    inputs,
    session,
    options,
    env,
    signal,
    async work({ module, client, plan }) {
      const fit = await module.source.fitLinesInClickHouse({ pipeline, client, plan, signal });
      strictly(fit.rejections, options.strict);
      return { model: fit.model, stats: fit.stats, firstRejection: fit.rejections[0] ?? null };
    },
  });
}

/**
 * `oddity profile clickhouse://… --table T --column C`: each table of the profile is counted in ClickHouse
 * over the lines split there; the lines the SQL does not split are read by oddity's parser and observed.
 * Null when the rows must be streamed instead (lines of another format).
 */
export async function profileLinesOnClickHouse({
  inputs,
  session,
  options,
  profiler,
  conditional,
  env,
  signal,
}: {
  inputs: readonly string[];
  session: Session;
  options: Pick<InputOptions, "maxLineLength" | "strict">;
  profiler: FieldProfiler;
  conditional: ConditionalProfiler[];
  env: Record<string, string | undefined>;
  signal: AbortSignal;
}): Promise<{ stats: InputStats; rejections: Rejection[]; offset: number | null } | null> {
  return withLineSplit({
    inputs,
    session,
    options,
    env,
    signal,
    async work({ module, client, plan }) {
      const specs = profileSpecs({ profiler, conditional });
      const queries = specs.map((spec) => countQueryFor(spec));
      let firstText: string | null = null;
      const counts = await module.source.countLinesInClickHouse({
        client,
        plan,
        queries,
        signal,
        onRecord: (record) => {
          firstText ??= record.time_text;
          profiler.observe(record);
          for (const c of conditional) c.observe(record);
        },
      });
      strictly(counts.rejections, options.strict);
      addCountedTables({
        profiler,
        conditional,
        specs,
        queries,
        results: counts.results,
        records: counts.records,
      });
      return {
        stats: counts.stats,
        rejections: counts.rejections,
        offset: offsetMinutes(counts.firstTimeText ?? firstText),
      };
    },
  });
}
