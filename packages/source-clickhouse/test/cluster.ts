// The harness is plain .mjs so that the bench runs it too; the tests import it from here as before.
export {
  CLUSTER_USER,
  countingProxy,
  freePort,
  recordColumns,
  serverInstalled,
  startCluster,
  type Cluster,
  type CountingProxy,
  type DistributedTable,
} from "./cluster.mjs";
