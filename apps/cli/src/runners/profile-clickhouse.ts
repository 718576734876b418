import {
  UserError,
  countQueryFor,
  emptyStats,
  type ConditionalProfiler,
  type FieldProfiler,
  type InputStats,
} from "@oddity/core";
import { loadClickHouse } from "../input/clickhouse.js";
import type { Session } from "./common.js";
import { addCountedTables, offsetMinutes, profileSpecs } from "./profile-counts.js";

/**
 * `oddity profile clickhouse://… --table T` (or `--query Q`): each table of the profile is one GROUP BY
 * over a table of parsed requests (or the query's rows), run by the cluster (a Distributed table counts
 * on every shard); only the count rows come back, and derived fields are computed from them as for any
 * engine.
 */
export async function profileOnClickHouse({
  inputs,
  session,
  profiler,
  conditional,
  env,
}: {
  inputs: readonly string[];
  session: Session;
  profiler: FieldProfiler;
  conditional: ConditionalProfiler[];
  env: Record<string, string | undefined>;
}): Promise<{ stats: InputStats; offset: number | null }> {
  const { source: clickhouse } = await loadClickHouse();
  if (inputs.length !== 1) throw new UserError("profile one clickhouse:// table at a time");
  const target = clickhouse.parseClickHouseUrl({ url: inputs[0]!, env });
  const { table, query, primaryKey } = session.database;
  if (table === undefined && query === undefined)
    throw new UserError(`${target.display}: name the table with --table, or give --query`);
  const specs = profileSpecs({ profiler, conditional });
  const queries = specs.map((spec) => countQueryFor(spec));
  const connection = await clickhouse.connectClickHouse(target);
  try {
    const counts = await clickhouse.countInClickHouse({
      client: connection,
      database: target.database,
      table,
      query,
      primaryKey,
      source:
        query === undefined ? `${target.display}#${table}` : clickhouse.querySource(target.display, query),
      queries,
    });
    addCountedTables({
      profiler,
      conditional,
      specs,
      queries,
      results: counts.results,
      records: counts.records,
    });
    const stats = { ...emptyStats(), read: counts.records, parsed: counts.records };
    return { stats, offset: offsetMinutes(counts.firstTimeText) };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw clickhouse.connectionError(target, error);
  } finally {
    await connection.close();
  }
}
