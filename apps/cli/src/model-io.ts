import { readFile } from "node:fs/promises";
import path from "node:path";
import { ModelError, modelFromJSON, modelToJSON, type Model } from "@oddity/core";
import { writeFileAtomic } from "./output/atomic.js";
import type { OddityConfig } from "./config/normalize.js";
import type { PluginLoader } from "./pipeline.js";
import { builtinPackage } from "./plugins/builtins.js";

/** A model's JSON text: deterministic, so the same baseline and config give the same bytes. */
export function modelText(model: Model): string {
  return `${JSON.stringify(modelToJSON(model), null, 2)}\n`;
}

/** Saves a model atomically: temp file + rename, so an interrupted run never leaves half a model. */
export async function saveModel({ model, file }: { model: Model; file: string }): Promise<void> {
  await writeFileAtomic(file, modelText(model));
}

/**
 * The plugin specifiers the user's config names. A model file is data that may come from elsewhere
 * (a colleague, a CI artefact, an attacker): it may name only bundled detectors and these, never a
 * module of its own choosing, because importing a plugin runs it.
 */
export function trustedPlugins(config: Pick<OddityConfig, "file" | "detectors">): string[] {
  if (config.file === null) return [];
  return config.detectors.map((d) => d.use).filter((use) => builtinPackage(use) === null);
}

/**
 * Loads a saved model. Its detectors' `use` specifiers resolve with the plugin loader from the config's
 * folder, as when it was fitted; a plugin is loaded only when the config names it too
 * ({@link trustedPlugins}).
 */
export async function loadModel({
  file,
  loader,
  config,
  prepare = true,
}: {
  file: string;
  loader: PluginLoader;
  config: Pick<OddityConfig, "file" | "dir" | "detectors">;
  /** False for a model that will only be merged (`mergeShards` prepares the result). */
  prepare?: boolean;
}): Promise<Model> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a model file"
          : (error as Error).message;
    throw new ModelError(`${file}: cannot read the model: ${reason}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelError(
      `${file}: not a valid model: the JSON does not parse (${(error as Error).message}); the file may be truncated. Refit it with "oddity fit"`,
    );
  }
  const trusted = trustedPlugins(config);
  return modelFromJSON({
    json,
    where: file,
    prepare,
    resolve: (use) => {
      if (builtinPackage(use) === null && !trusted.includes(use)) {
        throw new ModelError(
          `${file}: the model uses the detector plugin ${JSON.stringify(use)}, which ${config.file === null ? "no oddity config names" : `${path.basename(config.file)} does not name`}. A model cannot choose code to run: if you trust that plugin, list it under detectors (use: ${JSON.stringify(use)}) in your oddity.config.yaml`,
        );
      }
      return loader(use, { where: `${file}: detector "${use}"`, dir: config.dir });
    },
  });
}
