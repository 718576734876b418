/** A throwaway ClickHouse cluster of two shards, each its own server process on loopback. */
export interface Cluster {
  /** HTTP ports of the shards; the first holds the Distributed table. */
  http: number[];
  /** The servers' folder: `shard1/error.log`, `shard2/…`, removed by `stop`. */
  root: string;
  /** Ends both servers and removes their folder. */
  stop(): Promise<void>;
}

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
