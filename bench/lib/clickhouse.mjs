// `pnpm bench --only clickhouse[,clickhouse-lines]`: what a fit in a ClickHouse cluster sends back to
// oddity. The bench's log is loaded into the source's 2-shard test cluster on loopback (parsed columns,
// or one raw line per row), `oddity fit clickhouse://…` runs through a counting TCP proxy in front of the
// first shard's HTTP port, and the bytes the server sent back (HTTP headers included, compressed as they
// came) are set against the table's bytes in system.parts of both shards. The model must equal
// `oddity fit` of the same lines, but for `sources`.
import { createReadStream, existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { isDeepStrictEqual } from "node:util";
import { readInputs } from "../../packages/core/dist/index.js";
import { TABLE_FIELDS, chIdentifier } from "../../packages/source-clickhouse/dist/index.js";
import {
  countingProxy,
  recordColumns,
  serverInstalled,
  SERVER,
  sql,
  startCluster,
} from "../../packages/source-clickhouse/test/cluster.mjs";

// Rows per INSERT: a bounded body (about 45 MB of text for parsed rows), few enough parts per shard that
// the server does not throttle inserts while it merges them.
const BATCH_ROWS = 200_000;

const escapeTsv = (value) =>
  value === null || value === undefined
    ? "\\N"
    : String(value).replace(
        /[\\\t\n\r\0]/g,
        (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0" })[c],
      );

/** Loads `batches` (arrays of TSV lines) into the shards' local table in turn: half the rows each. */
async function load({ ports, table, columns, batches }) {
  let i = 0;
  let rows = 0;
  for await (const batch of batches) {
    const port = ports[i++ % ports.length];
    await sql({
      port,
      query: `INSERT INTO default.${chIdentifier(table)} (${columns.map(chIdentifier).join(", ")}) FORMAT TabSeparated`,
      body: `${batch.join("\n")}\n`,
    });
    rows += batch.length;
  }
  return rows;
}

async function* parsedBatches(file) {
  let batch = [];
  let n = 0;
  for await (const { records } of readInputs({ inputs: [file] })) {
    for (const r of records) {
      batch.push([...TABLE_FIELDS.map((f) => escapeTsv(r[f])), n++].join("\t"));
      if (batch.length === BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

async function* lineBatches(file) {
  let batch = [];
  let n = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    batch.push(`${++n}\t${escapeTsv(line)}`);
    if (batch.length === BATCH_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

// Background merges of the loaded parts would compete with the fit for the 2 cores: waited for, bounded.
async function settle({ ports, log }) {
  const started = performance.now();
  const deadline = Date.now() + 300_000;
  for (;;) {
    let merging = 0;
    for (const port of ports)
      merging += Number(await sql({ port, query: "SELECT count() FROM system.merges" }));
    if (merging === 0 || Date.now() > deadline) {
      log(
        `  clickhouse: merges ${merging === 0 ? "settled" : `still running (${merging})`} after ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// The last lines of each shard's error log, to say why a fit failed.
function serverErrors(root) {
  return ["shard1", "shard2"]
    .map((shard) => path.join(root, shard, "error.log"))
    .filter((file) => existsSync(file))
    .map(
      (file) =>
        `${path.basename(path.dirname(file))}: ${readFileSync(file, "utf8").trim().split("\n").slice(-5).join("\n")}`,
    )
    .join("\n");
}

const withoutSources = (file) => {
  const { sources: _sources, ...rest } = JSON.parse(readFileSync(file, "utf8"));
  return rest;
};

/**
 * Runs the asked kinds (`parsed`, `lines`) on `file` and returns a row each: wire bytes back, the table's
 * bytes, both ratios, wall time and whether the model equals `reference` (oddity fit's model file).
 */
export async function benchClickHouse({ file, kinds, reference, work, run, log }) {
  if (!serverInstalled()) {
    log(`  clickhouse: skipped, ${SERVER} is not installed (.ci/services/clickhouse.sh installs it)`);
    return [];
  }
  const results = [];
  const cluster = await startCluster();
  let proxy = null;
  // Interrupted, the servers are stopped and their folder removed all the same.
  const interrupted = (signal) => void cluster.stop().finally(() => process.kill(process.pid, signal));
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    const [first] = cluster.http;
    proxy = await countingProxy({ port: first });
    for (const kind of kinds) {
      const columns =
        kind === "parsed" ? { ...recordColumns(TABLE_FIELDS), n: "UInt64" } : { n: "UInt64", line: "String" };
      const { name: table, local } = await cluster.createDistributedTable({
        name: kind === "parsed" ? "logs" : "raw",
        columns,
        key: "n",
      });
      const started = performance.now();
      const rows = await load({
        ports: cluster.http,
        table: local,
        columns: Object.keys(columns),
        batches: kind === "parsed" ? parsedBatches(file) : lineBatches(file),
      });
      log(
        `  clickhouse ${kind}: loaded ${rows.toLocaleString("en-US")} rows in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      let uncompressed = 0;
      let compressed = 0;
      for (const port of cluster.http) {
        const [u, c] = (
          await sql({
            port,
            query: `SELECT sum(data_uncompressed_bytes), sum(data_compressed_bytes) FROM system.parts WHERE active AND database = 'default' AND table = '${local}'`,
          })
        )
          .trim()
          .split("\t")
          .map(Number);
        uncompressed += u;
        compressed += c;
      }
      await settle({ ports: cluster.http, log });
      const model = path.join(work, `model-clickhouse-${kind}.json`);
      const url = `clickhouse://default@127.0.0.1:${proxy.port}/default`;
      const before = proxy.received();
      let result;
      try {
        result = await run([
          "fit",
          url,
          "--table",
          table,
          ...(kind === "lines" ? ["--column", "line"] : []),
          "--output",
          model,
        ]);
      } catch (error) {
        // One kind failing keeps the other's figures.
        log(
          `  clickhouse ${kind}: ${error.message.split("\n").slice(0, 2).join(" ")}\n${serverErrors(cluster.root)}`,
        );
        results.push({ kind, error: error.message.split("\n")[1] ?? error.message });
        continue;
      }
      const wire = proxy.received() - before;
      const identical =
        reference === null ? null : isDeepStrictEqual(withoutSources(model), withoutSources(reference));
      rmSync(model, { force: true });
      results.push({ kind, result, wire, uncompressed, compressed, identical });
    }
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    await proxy?.close();
    await cluster.stop();
  }
  return results;
}
