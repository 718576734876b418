import { parentPort } from "node:worker_threads";
import { modelToJSON } from "@oddity/core";
import { loadConfig } from "../config/load.js";
import { fitShard, type ShardResult } from "../fit/shard.js";
import type { FormattedPiece } from "../parallel/pieces.js";
import { throttle } from "../parallel/throttle.js";
import { buildPipeline } from "../pipeline.js";
import type { WorkerMessage } from "../parallel/pool.js";
import { createPluginLoader } from "../plugins/load.js";

/** What the main thread sends a fit worker. */
export interface FitWorkerData {
  cwd: string;
  /** The config file the main thread loaded (absolute), null for the defaults. */
  configFile: string | null;
  pieces: FormattedPiece[];
  maxLineLength?: number;
}

/**
 * Fits one shard (runs in a pooled worker). The worker rebuilds the pipeline from the same config file,
 * so its detectors and options (and the config hash the models merge on) are exactly the main thread's.
 */
export async function fitTask(data: FitWorkerData): Promise<ShardResult> {
  const { config } = await loadConfig({ cwd: data.cwd, configPath: data.configFile ?? undefined });
  const pipeline = await buildPipeline({ config, loader: createPluginLoader() });
  const { model, pieces } = await fitShard({
    pipeline,
    pieces: data.pieces,
    maxLineLength: data.maxLineLength,
    onProgress: throttle({
      post: (stats) =>
        parentPort!.postMessage({ type: "progress", stats } satisfies WorkerMessage<ShardResult>),
    }),
  });
  return { model: modelToJSON(model), pieces };
}
