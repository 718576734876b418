import { packageConfig } from "@oddity/tsup-config";
import type { Options } from "tsup";

// Workers are their own entries so `--jobs` can start them by URL next to the bin.
const config: Options = packageConfig({
  entry: {
    bin: "src/bin.ts",
    "fit-worker": "src/workers/fit-worker.ts",
    "pass-worker": "src/workers/pass-worker.ts",
  },
  dts: false,
  noExternal: ["yargs", "yargs-parser", "cliui", "y18n", "escalade", "get-caller-file", "string-width"],
});
export default config;
