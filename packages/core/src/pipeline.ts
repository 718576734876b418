import { createHash } from "node:crypto";
import {
  API_VERSION,
  type AnyDetectorDefinition,
  type DetectorContext,
  type DetectorHooks,
} from "./detector.js";
import { ConfigError } from "./errors.js";
import { createFieldCache, type FieldCache } from "./field-cache.js";
import { validateOptions } from "./options.js";

/** How findings combine into a record's score. */
export interface ScoringOptions {
  /**
   * `sum-max` (default) adds, per detector, only that detector's strongest finding: a naive-Bayes joint
   * improbability over detectors, so evidence of different kinds adds up while one detector's correlated
   * fields (a new client's ip, user agent and path are rare together) count once, and so do instances of
   * one detector (the client detector by address and by user agent judge the same responses). `sum` adds every
   * finding (independence across fields too); `max` keeps the strongest finding. docs/evaluation.md has
   * the figures behind the default.
   */
  combine: CombineMode;
  /** Records scoring below this many bits are not reported, even with findings. */
  minScore: number;
}

export const DEFAULT_SCORING: Readonly<ScoringOptions> = Object.freeze({ combine: "sum-max", minScore: 0 });

/** How a record's findings become its score; see {@link ScoringOptions.combine}. */
export type CombineMode = "sum" | "max" | "sum-max";

export const COMBINE_MODES: readonly CombineMode[] = ["sum", "max", "sum-max"];

/** One detector as configured: which module, under what id, with which raw options. */
export interface DetectorEntry {
  /** The specifier the user wrote (`rarity`, `./my-detector.js`); kept in saved models. */
  use: string;
  /** Instance id; defaults to the detector's name. Two instances of one detector need distinct ids. */
  id?: string;
  /** Raw options, validated against the detector's schema by {@link createPipeline}. */
  options?: unknown;
  definition: AnyDetectorDefinition;
}

/** A configured, validated detector instance. */
export interface PipelineDetector {
  id: string;
  use: string;
  definition: AnyDetectorDefinition;
  /** Options after validation and defaults. */
  options: unknown;
  hooks: DetectorHooks<unknown>;
}

/** Validated detectors plus scoring: everything needed to fit, score and save a model. */
export interface Pipeline {
  detectors: readonly PipelineDetector[];
  scoring: ScoringOptions;
  /** Hash of the detectors' specifiers, ids, options and the scoring; models merge only when equal. */
  configHash: string;
  /** Warnings raised by detectors while fitting and scoring (deduplicated, in order). */
  warnings: string[];
  /** The value codes and path templates its detectors share (their context's `codes` and `fieldReader`). */
  fields: FieldCache;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Validates each detector's options and API version and creates the instances. All problems are reported
 * together, each naming its key path under `where` (e.g. `oddity.config.yaml: detectors[1]`).
 */
export function createPipeline({
  detectors,
  scoring = {},
  where = "detectors",
}: {
  detectors: readonly DetectorEntry[];
  scoring?: Partial<ScoringOptions>;
  where?: string;
}): Pipeline {
  const issues: string[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const created: PipelineDetector[] = [];
  // One per pipeline, not per thread: two pipelines in a process (two models a library fits) share nothing.
  const fields = createFieldCache();
  detectors.forEach((entry, index) => {
    const at = `${where}[${index}]`;
    const { definition } = entry;
    // Plugins are loaded at runtime, so the declared literal type proves nothing about the value.
    const apiVersion: unknown = definition.meta.apiVersion;
    if (apiVersion !== API_VERSION) {
      issues.push(
        `${at}: detector "${definition.meta.name}" (${entry.use}) targets detector API ${JSON.stringify(apiVersion) ?? "none"}, this oddity implements API ${API_VERSION}`,
      );
      return;
    }
    const id = entry.id ?? definition.meta.name;
    if (seen.has(id)) {
      issues.push(`${at}.id: "${id}" is used by another detector; give each instance its own id`);
      return;
    }
    seen.add(id);
    let options: unknown;
    try {
      options = validateOptions(definition, entry.options, `${at}.options`);
    } catch (error) {
      if (error instanceof ConfigError) {
        issues.push(...error.issues);
        return;
      }
      throw error;
    }
    const context: DetectorContext = {
      id,
      warn(message: string) {
        const line = `${id}: ${message}`;
        if (!warnings.includes(line)) warnings.push(line);
      },
      codes: fields.codes,
      fieldReader: fields.reader,
    };
    created.push({ id, use: entry.use, definition, options, hooks: definition.create(options, context) });
  });
  const combine = scoring.combine ?? DEFAULT_SCORING.combine;
  const minScore = scoring.minScore ?? DEFAULT_SCORING.minScore;
  if (!COMBINE_MODES.includes(combine)) {
    issues.push(`scoring.combine: expected "sum", "max" or "sum-max", received ${JSON.stringify(combine)}`);
  }
  if (typeof minScore !== "number" || !Number.isFinite(minScore) || minScore < 0) {
    issues.push(`scoring.minScore: expected a number of bits ≥ 0, received ${JSON.stringify(minScore)}`);
  }
  if (issues.length > 0) throw new ConfigError("the detector pipeline is invalid", issues);
  const resolvedScoring: ScoringOptions = { combine, minScore };
  const configHash = createHash("sha256")
    .update(
      stableStringify({
        detectors: created.map(({ id, use, options }) => ({ id, use, options })),
        scoring: resolvedScoring,
      }),
    )
    .digest("hex")
    .slice(0, 16);
  return { detectors: created, scoring: resolvedScoring, configHash, warnings, fields };
}
