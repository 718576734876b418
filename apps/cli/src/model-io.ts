import { readFile } from "node:fs/promises";
import path from "node:path";
import { ModelError, modelFromJSON, modelToJSON, type Model } from "@oddity/core";
import { writeFileAtomic } from "./output/atomic.js";
import type { PluginLoader } from "./pipeline.js";

/** A model's JSON text: deterministic, so the same baseline and config give the same bytes. */
export function modelText(model: Model): string {
  return `${JSON.stringify(modelToJSON(model), null, 2)}\n`;
}

/** Saves a model atomically: temp file + rename, so an interrupted run never leaves half a model. */
export async function saveModel({ model, file }: { model: Model; file: string }): Promise<void> {
  await writeFileAtomic(file, modelText(model));
}

/**
 * Loads a saved model. Its detectors' `use` specifiers resolve with the plugin loader from `dir` (the
 * config's folder, as when it was fitted), or from the model's own folder when no config is in use.
 */
export async function loadModel({
  file,
  loader,
  dir,
}: {
  file: string;
  loader: PluginLoader;
  dir?: string | undefined;
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
  const from = dir ?? path.dirname(path.resolve(file));
  return modelFromJSON({
    json,
    where: file,
    resolve: (use) => loader(use, { where: `${file}: detector "${use}"`, dir: from }),
  });
}
