import { Worker } from "node:worker_threads";
import { UserError, type InputStats } from "@oddity/core";

/** Messages every oddity worker posts: running totals, its result, or what went wrong. */
export type WorkerMessage<Result> =
  | { type: "progress"; stats: InputStats }
  | { type: "done"; result: Result }
  | { type: "error"; name: string; message: string; stack: string | undefined; user: boolean };

/**
 * Runs the worker script `file` (a bundle next to the bin) with `data`; resolves to its result. User
 * errors (bad input, bad config) come back as UserError; Ctrl-C terminates the worker.
 */
export function runWorker<Result>({
  file,
  data,
  signal,
  onProgress,
}: {
  file: string;
  data: unknown;
  signal: AbortSignal;
  onProgress: (stats: InputStats) => void;
}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(`./${file}`, import.meta.url), { workerData: data });
    const stop = () => void worker.terminate();
    signal.addEventListener("abort", stop, { once: true });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", stop);
      fn();
    };
    worker.on("message", (message: WorkerMessage<Result>) => {
      if (message.type === "progress") onProgress(message.stats);
      else if (message.type === "done") settle(() => resolve(message.result));
      else {
        settle(() => {
          if (message.user) reject(new UserError(message.message));
          // The name travels too: a DetectorError must still blame the plugin, not oddity.
          else
            reject(Object.assign(new Error(message.message), { name: message.name, stack: message.stack }));
        });
        void worker.terminate();
      }
    });
    worker.on("error", (error) => settle(() => reject(error)));
    worker.on("exit", (code) =>
      settle(() =>
        reject(
          signal.aborted && signal.reason instanceof Error
            ? signal.reason
            : new Error(`worker ${file} stopped with exit code ${code}`),
        ),
      ),
    );
  });
}
