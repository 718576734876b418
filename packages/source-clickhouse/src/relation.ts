import type { ClickHouseClient } from "@clickhouse/client";
import { InputError } from "@oddity/core";
import { checkQueryOptions, queryRelation, tableRelation, type Relation } from "./query.js";
import { tableColumns } from "./read.js";

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
}: {
  client: ClickHouseClient;
  database: string;
  table?: string | undefined;
  query?: string | undefined;
  /** The key column, which records streamed back carry as `extra.primary_key` (see `readExtras`). */
  primaryKey?: string | undefined;
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
