import type { Options } from "tsup";
/** The shared build: ESM + .d.ts for Node 20; pass `entry` and any overrides. */
export declare function packageConfig(options?: Partial<Options>): Options;
