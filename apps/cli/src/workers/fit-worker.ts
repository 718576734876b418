import { parentPort, workerData } from "node:worker_threads";
import { isUserError, modelToJSON } from "@oddity/core";
import { loadConfig } from "../config/load.js";
import { fitShard, type FormattedPiece, type ShardResult } from "../fit/shard.js";
import { throttle } from "../parallel/throttle.js";
import { buildPipeline } from "../pipeline.js";
import type { WorkerMessage } from "../parallel/worker.js";
import { createPluginLoader } from "../plugins/load.js";

/** What the main thread sends a fit worker. */
export interface FitWorkerData {
  cwd: string;
  /** The config file the main thread loaded (absolute), null for the defaults. */
  configFile: string | null;
  pieces: FormattedPiece[];
  maxLineLength?: number;
}

/** Messages a fit worker posts back. */
export type FitWorkerMessage = WorkerMessage<ShardResult>;

// Each worker rebuilds the pipeline from the same config file, so its detectors and options (and the
// config hash the models merge on) are exactly the main thread's.
async function run(data: FitWorkerData): Promise<ShardResult> {
  const { config } = await loadConfig({ cwd: data.cwd, configPath: data.configFile ?? undefined });
  const pipeline = await buildPipeline({ config, loader: createPluginLoader() });
  const { model, pieces } = await fitShard({
    pipeline,
    pieces: data.pieces,
    maxLineLength: data.maxLineLength,
    onProgress: throttle({
      post: (stats) => parentPort!.postMessage({ type: "progress", stats } satisfies FitWorkerMessage),
    }),
  });
  return { model: modelToJSON(model), pieces };
}

run(workerData as FitWorkerData).then(
  (result) => parentPort!.postMessage({ type: "done", result } satisfies FitWorkerMessage),
  (error: unknown) =>
    parentPort!.postMessage({
      type: "error",
      name: error instanceof Error ? error.name : "Error",
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
      user: isUserError(error),
    } satisfies FitWorkerMessage),
);
