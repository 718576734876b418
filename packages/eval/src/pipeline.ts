import { createPipeline, type Pipeline, type ScoringOptions } from "@oddity/core";
import { conditional } from "@oddity/detector-conditional";
import { rarity } from "@oddity/detector-rarity";
import { size } from "@oddity/detector-size";

/** Options of {@link defaultPipeline}: raw detector options (validated by each schema) and scoring. */
export interface DefaultPipelineOptions {
  rarity?: unknown;
  conditional?: unknown;
  size?: unknown;
  scoring?: Partial<ScoringOptions>;
  /** Leave these detectors out (by name). */
  without?: ReadonlyArray<"rarity" | "conditional" | "size">;
}

/**
 * The pipeline `oddity detect` runs without a config: the three bundled detectors under their short
 * names, with their default options unless given. Evaluations start here.
 */
export function defaultPipeline({
  rarity: rarityOptions,
  conditional: conditionalOptions,
  size: sizeOptions,
  scoring,
  without = [],
}: DefaultPipelineOptions = {}): Pipeline {
  const entries = [
    { use: "rarity", options: rarityOptions, definition: rarity },
    { use: "conditional", options: conditionalOptions, definition: conditional },
    { use: "size", options: sizeOptions, definition: size },
  ].filter((entry) => !(without as readonly string[]).includes(entry.use));
  return createPipeline({ detectors: entries, scoring });
}
