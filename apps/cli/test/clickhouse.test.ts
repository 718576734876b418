import { readFileSync } from "node:fs";
import path from "node:path";
import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { readInputs, type LogRecord } from "@oddity/core";
import { TABLE_FIELDS, chIdentifier } from "@oddity/source-clickhouse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The cluster the source's own tests start: two clickhouse-server processes on loopback.
import { startCluster, type Cluster } from "../../../packages/source-clickhouse/test/cluster.js";
import { EXAMPLES, fixture, oddity, tempDir } from "./helpers.js";

const FILES = [path.join(EXAMPLES, "sample", "access.log"), fixture("engine", "tricky.log")];
const CONFIG = fixture("engine", "oddity.config.yaml");

let cluster: Cluster;
let client: ClickHouseClient;
const clients: ClickHouseClient[] = [];

beforeAll(async () => {
  cluster = await startCluster();
  for (const port of cluster.http) clients.push(createClient({ url: `http://127.0.0.1:${port}` }));
  client = clients[0]!;
  const columns = TABLE_FIELDS.map((f) => {
    const type = f === "time" ? "Int64" : f === "status" ? "UInt16" : f === "size" ? "Float64" : "String";
    return `${chIdentifier(f)} Nullable(${type})`;
  }).join(", ");
  for (const c of clients) {
    await c.command({
      query: `CREATE TABLE default.logs_local (${columns}, n UInt64) ENGINE = MergeTree ORDER BY n`,
    });
  }
  await client.command({
    query:
      "CREATE TABLE default.logs AS default.logs_local ENGINE = Distributed(oddity, default, logs_local, n)",
  });
  const records: LogRecord[] = [];
  for await (const batch of readInputs({ inputs: FILES, format: { name: "combined" } }))
    records.push(...batch.records);
  await client.insert({
    table: "default.logs",
    format: "JSONEachRow",
    values: records.map((r, n) => ({ ...Object.fromEntries(TABLE_FIELDS.map((f) => [f, r[f]])), n })),
    clickhouse_settings: { insert_distributed_sync: 1 },
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
});

function modelWithoutSources(file: string): unknown {
  const { sources: _sources, ...rest } = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  return rest;
}

describe("oddity fit clickhouse://", () => {
  it("fits in the 2-shard cluster the model oddity fit writes from the same lines, but for sources", async () => {
    const dir = tempDir();
    const url = `clickhouse://default@127.0.0.1:${cluster.http[0]}/default`;
    const ch = await oddity(["fit", url, "--table", "logs", "--config", CONFIG, "-o", "ch.json"], {
      cwd: dir,
    });
    const own = await oddity(["fit", ...FILES, "--config", CONFIG, "-o", "own.json"], { cwd: dir });
    expect([ch.code, own.code, ch.stderr]).toEqual([
      0,
      0,
      // 10,018 lines less the four of tricky.log that the combined reader now rejects: a user with a
      // space and three timestamps that do not parse (31 February, second 61, a lower-case month).
      expect.stringContaining("model of 10,014 records"),
    ]);
    expect(modelWithoutSources(path.join(dir, "ch.json"))).toEqual(
      modelWithoutSources(path.join(dir, "own.json")),
    );
  });

  it("never prints the password, masking it in the error when the server refuses it", async () => {
    const url = `clickhouse://default:s3cr3t-pw@127.0.0.1:${cluster.http[0]}/default`;
    const { code, stderr } = await oddity([
      "fit",
      url,
      "--table",
      "logs",
      "--config",
      CONFIG,
      "-o",
      "m.json",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(`clickhouse://default:***@127.0.0.1:${cluster.http[0]}/default`);
    expect(stderr).not.toContain("s3cr3t");
  });
});
