import { defineConfig } from "tsup";

/** One build for every package: ESM + .d.ts, Node 20, no bundling of dependencies. */
export function packageConfig({ entry = ["src/index.ts"], ...rest } = {}) {
  return defineConfig({
    entry,
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    ...rest,
  });
}
