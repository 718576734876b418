/** A throwaway ClickHouse cluster of two shards, each its own server process on loopback. */
export interface Cluster {
  /** HTTP ports of the shards; the first holds the Distributed table. */
  http: number[];
  /** The servers' folder: `shard1/error.log`, `shard2/…`, removed by `stop`. */
  root: string;
  /** Ends both servers and removes their folder. */
  stop(): Promise<void>;
  /**
   * Creates `database.local` on every shard, a MergeTree ordered by the column `key`, and on the first
   * shard `database.name`, a Distributed table over them sharding rows by `key`. Every name is escaped:
   * tests give names that end identifiers and literals.
   */
  createDistributedTable(options: {
    /** `default` unless given. */
    database?: string;
    name: string;
    /** `<name>_local` unless given. */
    local?: string;
    /** Column names, in order, and their SQL types; no name may read as an array index ("0"). */
    columns: Readonly<Record<string, string>>;
    key: string;
  }): Promise<DistributedTable>;
  /**
   * Inserts `values`, SQL tuples such as `(1, 'a')` whose literals the caller escapes, into the named
   * `columns` (all unless given) of `database.table` through the first shard, a few thousand an INSERT.
   * Returns once every shard holds its rows.
   */
  insertValues(options: {
    database?: string;
    table: string;
    columns?: readonly string[];
    values: readonly string[];
  }): Promise<void>;
  /**
   * Inserts `rows`, objects of column values, into `database.table` through the first shard as
   * JSONEachRow. Returns once every shard holds its rows.
   */
  insertRows(options: {
    database?: string;
    table: string;
    rows: readonly Record<string, unknown>[];
  }): Promise<void>;
}

/** The names {@link Cluster.createDistributedTable} made, unescaped. */
export interface DistributedTable {
  database: string;
  /** The Distributed table, on the first shard. */
  name: string;
  /** The MergeTree table on each shard. */
  local: string;
}
/** The columns of a table of parsed records: each of `fields` (TABLE_FIELDS) Nullable, of its field's type. */
export function recordColumns(fields: readonly string[]): Record<string, string>;

/** The server binary the cluster runs. */
export const SERVER: string;
/** Whether {@link SERVER} is installed. */
export function serverInstalled(): boolean;
/** A TCP port free on loopback now. */
export function freePort(): Promise<number>;
/**
 * A user `oddity` the servers know, with this password (tests check it is never printed). A user `reader`
 * without a password has `readonly=1`: it may change no setting.
 */
export const CLUSTER_USER: { readonly name: "oddity"; readonly password: string };
/** Starts two servers whose `remote_servers` name both as the cluster `oddity`; `stop` ends and removes them. */
export function startCluster(): Promise<Cluster>;
/** A TCP proxy on loopback counting the bytes a server sends back, headers included. */
export interface CountingProxy {
  /** The port to connect to instead of the server's. */
  port: number;
  /** Bytes the server sent back through the proxy so far. */
  received(): number;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}
/** Starts a {@link CountingProxy} in front of `port` on 127.0.0.1. */
export function countingProxy(options: { port: number }): Promise<CountingProxy>;
/**
 * Runs `query` as `default` on the shard whose HTTP port is `port`, with `settings`; an INSERT's data in
 * `body`. Resolves to the answer's text, rejects with the server's first line.
 */
export function sql(options: {
  port: number;
  query: string;
  body?: string;
  settings?: Record<string, string>;
}): Promise<string>;
