import { z } from "zod";
import type { AnyDetectorDefinition } from "./detector.js";
import { ConfigError, DetectorError, ModelError } from "./errors.js";
import { createPipeline, type Pipeline, type ScoringOptions } from "./pipeline.js";
import type { LogRecord } from "./record.js";

/** Facts about the baseline a model was fitted on. */
export interface ModelMeta {
  /** Records observed. */
  records: number;
  /** Earliest and latest record time (epoch ms), null when no record had a time. */
  timeRange: { from: number | null; to: number | null };
  /** Sources fitted on, sorted (database sources appear with secrets masked). */
  sources: string[];
  configHash: string;
}

/** A fitted pipeline: one state per detector, plus what the baseline was. */
export interface Model {
  pipeline: Pipeline;
  states: unknown[];
  meta: ModelMeta;
}

export const MODEL_FORMAT = "oddity-model";
export const MODEL_VERSION = 1;

/** Fits a pipeline record by record; cheap enough to call per line. */
export interface Fitter {
  observe(record: LogRecord): void;
  /**
   * The model so far; `prepare` hooks run on it unless `prepare` is false (a shard that will only be
   * merged: see {@link mergeShards}). The fitter must not be used afterwards.
   */
  finish(options?: { prepare?: boolean }): Model;
  readonly model: Model;
}

function detectorFailure(id: string, phase: string, record: LogRecord, error: unknown): DetectorError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DetectorError(
    `detector "${id}" threw while ${phase} ${record.source}:${record.line}: ${reason}`,
    {
      cause: error,
    },
  );
}

// A hook that throws outside any record (a plugin's prepare, merge or toJSON) is still named, so the
// user knows which detector to blame; the original error stays the cause.
function runHook<T>(id: string, phase: string, hook: () => T): T {
  try {
    return hook();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DetectorError(`detector "${id}" threw while ${phase}: ${reason}`, { cause: error });
  }
}

/**
 * Runs each detector's `prepare` once the states are final. Warnings describe the state as last prepared,
 * so they are cleared first: a model merged from shards must not repeat what each shard said of itself.
 */
export function prepareModel(model: Model): Model {
  model.pipeline.warnings.length = 0;
  model.pipeline.detectors.forEach((detector, i) =>
    runHook(detector.id, "preparing the model", () => detector.hooks.prepare?.(model.states[i])),
  );
  return model;
}

/** Starts fitting `pipeline` on a baseline. */
export function createFitter(pipeline: Pipeline): Fitter {
  const model: Model = {
    pipeline,
    states: pipeline.detectors.map((d) => runHook(d.id, "starting to fit", () => d.hooks.init())),
    meta: { records: 0, timeRange: { from: null, to: null }, sources: [], configHash: pipeline.configHash },
  };
  const sources = new Set<string>();
  const { detectors } = pipeline;
  const { states, meta } = model;
  let lastSource = "";
  return {
    model,
    observe(record) {
      meta.records++;
      if (record.source !== lastSource) {
        sources.add(record.source);
        lastSource = record.source;
      }
      const t = record.time;
      if (t !== null) {
        if (meta.timeRange.from === null || t < meta.timeRange.from) meta.timeRange.from = t;
        if (meta.timeRange.to === null || t > meta.timeRange.to) meta.timeRange.to = t;
      }
      for (let i = 0; i < detectors.length; i++) {
        try {
          detectors[i]!.hooks.observe(states[i], record);
        } catch (error) {
          throw detectorFailure(detectors[i]!.id, "fitting", record, error);
        }
      }
    },
    finish({ prepare = true } = {}) {
      meta.sources = [...sources].sort();
      return prepare ? prepareModel(model) : model;
    },
  };
}

function minNullable(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}
function maxNullable(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function mergePair(a: Model, b: Model): Model {
  if (a.meta.configHash !== b.meta.configHash) {
    throw new ModelError(
      `cannot merge models fitted with different configurations (config hash ${a.meta.configHash} vs ${b.meta.configHash})`,
    );
  }
  // Counts above 2^53 − 1 are no longer exact in a double: such a merge would save a model that says
  // something it cannot know (and that no longer loads).
  if (a.meta.records + b.meta.records > Number.MAX_SAFE_INTEGER) {
    throw new ModelError(
      `cannot merge models that together count more than 2^53 − 1 records (${a.meta.records} + ${b.meta.records}); counts that large are not exact`,
    );
  }
  return {
    pipeline: a.pipeline,
    states: a.pipeline.detectors.map((d, i) =>
      runHook(d.id, "merging models", () => d.hooks.merge(a.states[i], b.states[i])),
    ),
    meta: {
      records: a.meta.records + b.meta.records,
      timeRange: {
        from: minNullable(a.meta.timeRange.from, b.meta.timeRange.from),
        to: maxNullable(a.meta.timeRange.to, b.meta.timeRange.to),
      },
      sources: [...new Set([...a.meta.sources, ...b.meta.sources])].sort(),
      configHash: a.meta.configHash,
    },
  };
}

/** Combines models fitted with the same configuration on different shards (files, days, workers). */
export function mergeModels(a: Model, b: Model): Model {
  return prepareModel(mergePair(a, b));
}

/**
 * Merges shard models in order and prepares the result once. The shards may be unprepared
 * (`finish({ prepare: false })`, `modelFromJSON({ prepare: false })`): only the merged model is scored,
 * so preparing each shard would be work thrown away.
 */
export function mergeShards(shards: readonly Model[]): Model {
  if (shards.length === 0) throw new ModelError("no models to merge");
  let merged = shards[0]!;
  for (let i = 1; i < shards.length; i++) merged = mergePair(merged, shards[i]!);
  return prepareModel(merged);
}

/** The saved form of a model: versioned JSON, diffable and portable between machines. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  configHash: string;
  records: number;
  timeRange: { from: string | null; to: string | null };
  sources: string[];
  scoring: ScoringOptions;
  detectors: Array<{
    id: string;
    use: string;
    name: string;
    apiVersion: number;
    options: unknown;
    state: unknown;
  }>;
}

/** The JSON form of a model. Deterministic: the same baseline and config give the same bytes. */
export function modelToJSON(model: Model): ModelFile {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    configHash: model.meta.configHash,
    records: model.meta.records,
    timeRange: { from: iso(model.meta.timeRange.from), to: iso(model.meta.timeRange.to) },
    sources: model.meta.sources,
    scoring: model.pipeline.scoring,
    detectors: model.pipeline.detectors.map((d, i) => ({
      id: d.id,
      use: d.use,
      name: d.definition.meta.name,
      apiVersion: d.definition.meta.apiVersion,
      options: d.options,
      state: runHook(d.id, "saving the model", () => d.hooks.toJSON(model.states[i])),
    })),
  };
}

const isoOrNull = z.union([z.iso.datetime(), z.null()]);
const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.number().int(),
  configHash: z.string().max(64),
  records: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  timeRange: z.object({ from: isoOrNull, to: isoOrNull }),
  sources: z.array(z.string()),
  scoring: z.object({ combine: z.enum(["sum", "max", "sum-max"]), minScore: z.number().nonnegative() }),
  detectors: z.array(
    z.object({
      id: z.string().min(1),
      use: z.string().min(1),
      name: z.string(),
      apiVersion: z.number().int(),
      options: z.unknown(),
      state: z.unknown(),
    }),
  ),
});

/**
 * Loads a saved model. `resolve` turns each detector's `use` specifier back into its definition (the
 * CLI's plugin loader). Truncated, corrupted, foreign-version or crafted files raise {@link ModelError}
 * naming `where` and the problem; nothing is half-loaded.
 */
export async function modelFromJSON({
  json,
  resolve,
  where = "model",
  prepare = true,
}: {
  json: unknown;
  resolve: (use: string) => AnyDetectorDefinition | Promise<AnyDetectorDefinition>;
  where?: string;
  /** False for a shard that will only be merged ({@link mergeShards}). */
  prepare?: boolean;
}): Promise<Model> {
  if (typeof json === "object" && json !== null && (json as { format?: unknown }).format !== MODEL_FORMAT) {
    throw new ModelError(`${where}: not an oddity model (expected "format": "${MODEL_FORMAT}")`);
  }
  const parsed = modelFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelError(
      `${where}: invalid model at ${issue.path.join(".") || "top level"}: ${issue.message}`,
    );
  }
  const file = parsed.data;
  if (file.version !== MODEL_VERSION) {
    throw new ModelError(
      `${where}: model format version ${file.version} is not supported by this oddity (it reads version ${MODEL_VERSION}); refit the model`,
    );
  }
  const entries = [];
  for (const d of file.detectors)
    entries.push({ id: d.id, use: d.use, options: d.options, definition: await resolve(d.use) });
  let pipeline: Pipeline;
  try {
    pipeline = createPipeline({ detectors: entries, scoring: file.scoring, where: "detectors" });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Options a model carries were valid when it was saved: invalid ones mean an edited or forged file.
    throw new ModelError(
      `${where}: the model's detector settings are invalid; the file was edited, or saved by another version of a detector\n${error.issues.map((i) => `  - ${i}`).join("\n")}`,
      { cause: error },
    );
  }
  if (pipeline.configHash !== file.configHash) {
    throw new ModelError(
      `${where}: the config hash does not match the detectors it lists; the file was edited or corrupted`,
    );
  }
  const states = pipeline.detectors.map((d, i) => {
    try {
      return d.hooks.fromJSON(file.detectors[i]!.state);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ModelError(`${where}: detectors[${i}] ("${d.id}") state is invalid: ${reason}`, {
        cause: error,
      });
    }
  });
  const time = (s: string | null) => (s === null ? null : Date.parse(s));
  const model: Model = {
    pipeline,
    states,
    meta: {
      records: file.records,
      timeRange: { from: time(file.timeRange.from), to: time(file.timeRange.to) },
      sources: file.sources,
      configHash: file.configHash,
    },
  };
  return prepare ? prepareModel(model) : model;
}
