import { parentPort } from "node:worker_threads";
import { modelToJSON } from "@oddity/core";
import { loadConfig } from "../config/load.js";
import { fitShard, type ShardResult } from "../fit/shard.js";
import type { FitWorkerData, WorkerMessage } from "../parallel/messages.js";
import { throttle } from "../parallel/throttle.js";
import { buildPipeline } from "../pipeline.js";
import { createPluginLoader } from "../plugins/load.js";

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
