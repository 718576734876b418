import type { ClickHouseClient } from "@clickhouse/client";
import { InputError } from "@oddity/core";
import { checkQueryOptions, queryRelation, tableRelation, type Relation } from "./query.js";
import { tableColumns } from "./read.js";

/** Which parsed requests a count or a fit reads in the cluster: a table of `database`, or a query. */
export interface RelationOptions {
  database: string;
  /**
   * A table of parsed requests, columns named like the record fields, its other columns extra fields
   * (see `tableRelation`); or else `query`.
   */
  table?: string | undefined;
  /** Instead of `table`: a SELECT whose columns are named like record fields (`SELECT client AS ip, ...`). */
  query?: string | undefined;
  /**
   * The key column, which records streamed back carry as `extra.primary_key`: counted as that, not as an
   * extra of its own name (see `readExtras`).
   */
  primaryKey?: string | undefined;
}

/**
 * What a count over parsed requests runs over: the table `database.table` (its columns listed first:
 * those not named like a record field are extras, see `tableRelation`), or the wrapped `query` (see
 * `queryRelation`); `source` names it in errors.
 */
export async function relationFrom({
  client,
  database,
  table,
  query,
  primaryKey,
  source,
  signal,
}: RelationOptions & {
  client: ClickHouseClient;
  source: string;
  signal?: AbortSignal | undefined;
}): Promise<Relation> {
  if (query === undefined) {
    if (table === undefined) throw new InputError(`${source}: name the table with --table, or give --query`);
    const { columns } = await tableColumns({
      client,
      target: { database, display: source },
      table,
      column: undefined,
      primaryKey,
      signal,
    });
    return tableRelation({ database, table, columns, primaryKey, source });
  }
  checkQueryOptions({ display: source, query, table, column: undefined });
  return queryRelation({ client, query, source, primaryKey, signal });
}
