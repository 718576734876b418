import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { clientOptions, type ClickHouseTarget } from "./url.js";

/** True for the server's refusal of the compression setting to a user who may change no setting. */
export function isCompressionRefused(error: unknown): boolean {
  return error instanceof Error && /enable_http_compression/.test(error.message);
}

/**
 * A client for `target` (see `clientOptions`). Responses are asked for gzip-compressed, which a user with
 * `readonly=1` may not ask for: unless the URL says `?compression=`, one `SELECT 1` finds out, and such a
 * user gets a client without compression rather than an error on every query. Any other failure of that
 * probe is left to the first real query, which reports it as it always has.
 */
export async function connectClickHouse(target: ClickHouseTarget): Promise<ClickHouseClient> {
  const client = createClient(clientOptions(target));
  if (target.compress !== undefined) return client;
  try {
    await (await client.query({ query: "SELECT 1", format: "TabSeparated" })).text();
    return client;
  } catch (error) {
    if (!isCompressionRefused(error)) return client;
    await client.close();
    return createClient(clientOptions({ ...target, compress: false }));
  }
}
