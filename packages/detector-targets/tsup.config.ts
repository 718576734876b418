import { packageConfig } from "@oddity/tsup-config";
import type { Options } from "tsup";

const config: Options = packageConfig({ entry: ["src/index.ts"] });
export default config;
