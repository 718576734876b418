import { packageConfig } from "@oddity/tsup-config";
import type { Options } from "tsup";

const config: Options = packageConfig({ entry: ["src/index.ts", "src/testing.ts"] });
export default config;
