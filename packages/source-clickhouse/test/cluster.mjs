// A throwaway ClickHouse cluster of two shards on loopback, shared by the tests (through cluster.ts) and
// `pnpm bench --only clickhouse` (plain Node, hence .mjs; its types are in cluster.d.mts).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const SERVER = "/usr/sbin/clickhouse-server";

/** Whether the server binary the cluster runs is installed (Debian's clickhouse-server). */
export const serverInstalled = () => existsSync(SERVER);

/** A TCP port free on loopback now. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A user `oddity` the servers know, with this password (tests check it is never printed). A user `reader`
 * without a password has `readonly=1`: it may change no setting.
 */
export const CLUSTER_USER = Object.freeze({ name: "oddity", password: "s3cr3t-ch'pw&<x>" });

const xmlText = (text) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

// A shard gives up connecting to the other after 50 ms by default; a 10M-line fit on a busy 2-core
// machine failed with "All connection tries failed" (cause not confirmed): a second is allowed.
const USERS = `<yandex>
  <profiles><default><connect_timeout_with_failover_ms>1000</connect_timeout_with_failover_ms></default><readonly><readonly>1</readonly></readonly></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default><${CLUSTER_USER.name}><password>${xmlText(CLUSTER_USER.password)}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${CLUSTER_USER.name}><reader><password></password><networks><ip>127.0.0.1</ip></networks><profile>readonly</profile><quota>default</quota></reader></users>
  <quotas><default></default></quotas>
</yandex>
`;

function config({ dir, http, tcp, shards }) {
  const replicas = shards
    .map((port) => `<shard><replica><host>127.0.0.1</host><port>${port}</port></replica></shard>`)
    .join("");
  return `<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog></logger>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>104857600</mark_cache_size>
  <remote_servers><oddity>${replicas}</oddity></remote_servers>
</yandex>
`;
}

// Readiness is the server answering its HTTP /ping, polled; a server that exits first fails the start.
async function ready({ port, child, deadline, failures }) {
  for (;;) {
    if (failures.length > 0) {
      throw new Error(
        `cannot start ${SERVER}: ${failures[0].message}; install it with .ci/services/clickhouse.sh`,
      );
    }
    if (child.exitCode !== null)
      throw new Error(`clickhouse-server on ${port} exited with ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`clickhouse-server on ${port} did not answer /ping in time`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts two servers whose `remote_servers` name both as the cluster `oddity`; `stop` ends and removes them. */
export async function startCluster() {
  const root = mkdtempSync(path.join(tmpdir(), "oddity-clickhouse-"));
  const ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
  const http = [ports[0], ports[1]];
  const tcp = [ports[2], ports[3]];
  const children = [];
  // A server that cannot start (not installed) reports here rather than crash the test run.
  const failures = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
              return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
    rmSync(root, { recursive: true, force: true });
  };
  try {
    http.forEach((port, i) => {
      const dir = path.join(root, `shard${i + 1}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "users.xml"), USERS);
      writeFileSync(path.join(dir, "config.xml"), config({ dir, http: port, tcp: tcp[i], shards: tcp }));
      const child = spawn(SERVER, [`--config-file=${path.join(dir, "config.xml")}`], { stdio: "ignore" });
      child.once("error", (error) => failures.push(error));
      children.push(child);
    });
    const deadline = Date.now() + 120_000;
    await Promise.all(http.map((port, i) => ready({ port, child: children[i], deadline, failures })));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    http,
    root,
    stop,
    createDistributedTable: (options) => createDistributedTable({ http, ...options }),
    insertValues: (options) => insertValues({ http, ...options }),
    insertRows: (options) => insertRows({ http, ...options }),
  };
}

// Names and literals escaped as src/escape.ts escapes them (chIdentifier, chString): this file is plain
// .mjs for the bench, which cannot import the TypeScript source. Some tests name tables to break SQL.
const identifier = (name) => `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``;
const literal = (text) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

/**
 * Runs `query` as `default` on the shard whose HTTP port is `port`, with `settings`; an INSERT's data in
 * `body`. Resolves to the answer's text, rejects with the server's first line.
 */
export async function sql({ port, query, body, settings = {} }) {
  // Without data the query is the body: a long one (many VALUES) would not fit in the URL.
  const params = new URLSearchParams(body === undefined ? settings : { query, ...settings });
  const response = await fetch(`http://127.0.0.1:${port}/?${params}`, {
    method: "POST",
    body: body === undefined ? query : body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse on ${port}: ${text.split("\n")[0]}`);
  return text;
}

const RECORD_TYPES = { time: "Int64", status: "UInt16", size: "Float64" };

/** The columns of a table of parsed records: each of `fields` (TABLE_FIELDS) Nullable, of its field's type. */
export const recordColumns = (fields) =>
  Object.fromEntries(fields.map((f) => [f, `Nullable(${RECORD_TYPES[f] ?? "String"})`]));

// The cluster's table methods, on the servers whose HTTP ports are `http`; documented in cluster.d.mts.
async function createDistributedTable({
  http,
  database = "default",
  name,
  local = `${name}_local`,
  columns,
  key,
}) {
  // An object keeps its keys in order, but for those that read as array indexes: they would come first.
  const index = Object.keys(columns).find((column) => /^(0|[1-9]\d*)$/.test(column));
  if (index !== undefined) throw new RangeError(`a column named ${index} would not keep its place`);
  const db = identifier(database);
  const schema = Object.entries(columns)
    .map(([column, type]) => `${identifier(column)} ${type}`)
    .join(", ");
  for (const port of http) {
    await sql({
      port,
      query: `CREATE TABLE ${db}.${identifier(local)} (${schema}) ENGINE = MergeTree ORDER BY ${identifier(key)}`,
    });
  }
  await sql({
    port: http[0],
    query: `CREATE TABLE ${db}.${identifier(name)} AS ${db}.${identifier(local)} ENGINE = Distributed(oddity, ${literal(database)}, ${literal(local)}, ${identifier(key)})`,
  });
  return { database, name, local };
}

// Inserts through a Distributed table return once every shard holds its rows, so that tests read them all.
const SYNC = { insert_distributed_sync: "1" };
// SQL tuples per INSERT: bounded statements, however many rows a test inserts.
const VALUES_PER_INSERT = 2000;

async function insertValues({ http, database = "default", table, columns, values }) {
  const into = `${identifier(database)}.${identifier(table)}${columns === undefined ? "" : ` (${columns.map(identifier).join(", ")})`}`;
  for (let i = 0; i < values.length; i += VALUES_PER_INSERT) {
    await sql({
      port: http[0],
      query: `INSERT INTO ${into} VALUES ${values.slice(i, i + VALUES_PER_INSERT).join(", ")}`,
      settings: SYNC,
    });
  }
}

async function insertRows({ http, database = "default", table, rows }) {
  await sql({
    port: http[0],
    query: `INSERT INTO ${identifier(database)}.${identifier(table)} FORMAT JSONEachRow`,
    body: rows.map((row) => JSON.stringify(row)).join("\n"),
    settings: SYNC,
  });
}

/**
 * A TCP proxy on loopback in front of `port` that counts the bytes the server sends back, HTTP headers
 * included: what crosses the wire, whatever the client decodes them into. Bounded: each connection is
 * piped (backpressure kept), and `close` ends them all.
 */
export async function countingProxy({ port }) {
  let received = 0;
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port });
    sockets.add(client).add(upstream);
    upstream.on("data", (chunk) => (received += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: server.address().port,
    received: () => received,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
