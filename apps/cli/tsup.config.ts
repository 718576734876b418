import { packageConfig } from "@oddity/tsup-config";
import type { Options } from "tsup";

// The worker is its own entry so `--jobs` can start it by URL next to the bin.
const config: Options = packageConfig({
  entry: {
    bin: "src/bin.ts",
    "oddity-worker": "src/workers/oddity-worker.ts",
  },
  dts: false,
  noExternal: ["yargs", "yargs-parser", "cliui", "y18n", "escalade", "get-caller-file", "string-width"],
});
export default config;
