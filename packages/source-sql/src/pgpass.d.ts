// The `pgpass` package (the one node-postgres itself uses) ships no types. Its helper module takes the
// environment as an argument, which lets `readDatabase({ env })` decide where `.pgpass` is looked for.
declare module "pgpass/lib/helper.js" {
  import type { Stats } from "node:fs";
  import type { Readable } from "node:stream";

  interface PgpassHelper {
    getFileName(env?: Record<string, string | undefined>): string;
    usePgPass(stats: Stats, file?: string): boolean;
    getPassword(
      connInfo: { host: string; port: number; database: string; user: string },
      stream: Readable,
      callback: (password: string | undefined) => void,
    ): void;
  }
  const helper: PgpassHelper;
  export default helper;
}
