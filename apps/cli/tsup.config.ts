import { packageConfig } from "@oddity/tsup-config";
import type { Options } from "tsup";

// The worker is its own entry so `fit --jobs` can start it by URL next to the bin.
const config: Options = packageConfig({
  entry: { bin: "src/bin.ts", "fit-worker": "src/workers/fit-worker.ts" },
  dts: false,
});
export default config;
