import { createPipeline, type AnyDetectorDefinition, type Pipeline, type ScoringOptions } from "@oddity/core";
import { client } from "@oddity/detector-client";
import { conditional } from "@oddity/detector-conditional";
import { params } from "@oddity/detector-params";
import { rarity } from "@oddity/detector-rarity";
import { size } from "@oddity/detector-size";
import { targets } from "@oddity/detector-targets";

/** The ids of the default pipeline's detectors, in order. */
export const DEFAULT_DETECTOR_IDS = [
  "rarity",
  "conditional",
  "size",
  "params",
  "client",
  "client-by-agent",
  "targets",
] as const;

/** One of {@link DEFAULT_DETECTOR_IDS}. */
export type DefaultDetectorId = (typeof DEFAULT_DETECTOR_IDS)[number];

/**
 * The default pipeline as data: what `oddity detect` runs without a config (the CLI's DEFAULT_PIPELINE
 * lists the same entries, and a CLI test holds the two equal). Size compares responses of one path
 * template and one status; the client detector runs twice, by address and by user agent, so a scan
 * spread over rotating addresses is judged as one client too, and targets finds the paths such scans
 * converge on.
 */
export const DEFAULT_ENTRIES: ReadonlyArray<{
  use: string;
  id?: DefaultDetectorId;
  options?: Readonly<Record<string, unknown>>;
}> = [
  { use: "rarity" },
  { use: "conditional" },
  { use: "size", options: { groupBy: ["path_template", "status"] } },
  { use: "params" },
  { use: "client" },
  { use: "client", id: "client-by-agent", options: { key: "user_agent" } },
  { use: "targets" },
];

const DEFINITIONS: Readonly<Record<string, AnyDetectorDefinition>> = {
  rarity,
  conditional,
  size,
  params,
  client,
  targets,
};

/** Options of {@link defaultPipeline}: raw detector options by id (replacing the defaults) and scoring. */
export interface DefaultPipelineOptions {
  /** Options for a detector by id, validated by its schema; they replace that entry's default options. */
  options?: Partial<Record<DefaultDetectorId, unknown>>;
  scoring?: Partial<ScoringOptions>;
  /** Leave these detectors out (by id). */
  without?: readonly DefaultDetectorId[];
}

/** The pipeline `oddity detect` runs without a config. Evaluations start here. */
export function defaultPipeline({
  options = {},
  scoring,
  without = [],
}: DefaultPipelineOptions = {}): Pipeline {
  const entries = DEFAULT_ENTRIES.filter(
    (entry) => !without.includes(entry.id ?? (entry.use as DefaultDetectorId)),
  ).map((entry) => {
    const id = entry.id ?? (entry.use as DefaultDetectorId);
    return {
      use: entry.use,
      id: entry.id,
      options: Object.hasOwn(options, id) ? options[id] : entry.options,
      definition: DEFINITIONS[entry.use]!,
    };
  });
  return createPipeline({ detectors: entries, scoring });
}
