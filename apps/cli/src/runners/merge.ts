import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { ModelError, UserError, formatCount, mergeShards, modelToJSON, type Model } from "@oddity/core";
import { jsonText } from "../output/json.js";
import { loadModel, saveModel } from "../model-io.js";
import { startSession } from "./common.js";
import type { RunContext } from "./context.js";

/** Options of `oddity merge`. */
export interface MergeOptions {
  models: string[];
  output: string;
  config?: string | undefined;
  quiet?: boolean | undefined;
  /** Merge models with the same content anyway (counts are added once per copy). */
  allowDuplicates?: boolean | undefined;
}

/**
 * What a model learned, whatever its file is called or which files it names as sources: the same
 * fingerprint means merging would count the same requests twice.
 */
export function contentFingerprint(model: Model): string {
  const { sources: _sources, ...content } = modelToJSON(model);
  return createHash("sha256").update(jsonText(content), "utf8").digest("hex");
}

/**
 * `oddity merge`: combines models fitted with the same config on different shards (days, hosts) into
 * one, as if fitted on all of it, and saves it atomically.
 */
export async function runMerge(options: MergeOptions, ctx: RunContext): Promise<number> {
  const started = performance.now();
  if (options.models.length === 0) throw new UserError("merge needs at least one model file");
  const session = await startSession({ options, ctx });
  const models: Model[] = [];
  const seen = new Map<string, string>();
  for (const file of options.models) {
    const model = await loadModel({ file, loader: session.loader, config: session.config, prepare: false });
    const first = models[0];
    if (first !== undefined && model.meta.configHash !== first.meta.configHash) {
      throw new ModelError(
        `${file}: cannot merge with ${options.models[0]}: they were fitted with different detector configurations (config hash ${model.meta.configHash} vs ${first.meta.configHash}); refit both with the same config`,
      );
    }
    const fingerprint = contentFingerprint(model);
    const twin = seen.get(fingerprint);
    if (twin !== undefined && options.allowDuplicates !== true) {
      throw new UserError(
        `${file}: holds the same model as ${twin} (content fingerprint ${fingerprint.slice(0, 12)}): merging would count its ${formatCount(model.meta.records)} records twice; pass --allow-duplicates if these really are two shards with identical traffic`,
      );
    }
    seen.set(fingerprint, file);
    models.push(model);
  }
  const merged = mergeShards(models);
  await saveModel({ model: merged, file: options.output });
  session.reporter.info(
    `oddity: merged ${options.models.length} model${options.models.length === 1 ? "" : "s"} (${formatCount(merged.meta.records)} records) into ${options.output} in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
  return 0;
}
