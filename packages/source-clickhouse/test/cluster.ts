import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** A throwaway ClickHouse cluster of two shards, each its own server process on loopback. */
export interface Cluster {
  /** HTTP ports of the shards; the first holds the Distributed table. */
  http: number[];
  stop(): Promise<void>;
}

const SERVER = "/usr/sbin/clickhouse-server";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A user `oddity` the servers know, with this password (tests check it is never printed). */
export const CLUSTER_USER = { name: "oddity", password: "s3cr3t-ch'pw&<x>" } as const;

const xmlText = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

const USERS = `<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default><${CLUSTER_USER.name}><password>${xmlText(CLUSTER_USER.password)}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${CLUSTER_USER.name}></users>
  <quotas><default></default></quotas>
</yandex>
`;

function config({
  dir,
  http,
  tcp,
  shards,
}: {
  dir: string;
  http: number;
  tcp: number;
  shards: number[];
}): string {
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
async function ready({
  port,
  child,
  deadline,
  failures,
}: {
  port: number;
  child: ChildProcess;
  deadline: number;
  failures: readonly Error[];
}): Promise<void> {
  for (;;) {
    if (failures.length > 0) {
      throw new Error(
        `cannot start ${SERVER}: ${failures[0]!.message}; install it with .ci/services/clickhouse.sh`,
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
export async function startCluster(): Promise<Cluster> {
  const root = mkdtempSync(path.join(tmpdir(), "oddity-clickhouse-"));
  const ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
  const http = [ports[0]!, ports[1]!];
  const tcp = [ports[2]!, ports[3]!];
  const children: ChildProcess[] = [];
  // A server that cannot start (not installed) reports here rather than crash the test run.
  const failures: Error[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
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
      writeFileSync(path.join(dir, "config.xml"), config({ dir, http: port, tcp: tcp[i]!, shards: tcp }));
      const child = spawn(SERVER, [`--config-file=${path.join(dir, "config.xml")}`], { stdio: "ignore" });
      child.once("error", (error) => failures.push(error));
      children.push(child);
    });
    const deadline = Date.now() + 120_000;
    await Promise.all(http.map((port, i) => ready({ port, child: children[i]!, deadline, failures })));
  } catch (error) {
    await stop();
    throw error;
  }
  return { http, stop };
}
