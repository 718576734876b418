import { parentPort } from "node:worker_threads";
import { isUserError } from "@oddity/core";
import type { WorkerMessage } from "../parallel/pool.js";
import { fitTask, type FitWorkerData } from "./fit-task.js";
import { passTask, type PassWorkerData } from "./pass-task.js";

/** One unit of work for a pooled worker: fit a shard, or read pieces for a profile or a score. */
export type WorkerTask = ({ kind: "fit" } & FitWorkerData) | ({ kind: "pass" } & PassWorkerData);

function run(task: WorkerTask): Promise<unknown> {
  return task.kind === "fit" ? fitTask(task) : passTask(task);
}

// Tasks arrive one at a time; the worker stays loaded between them until the pool closes.
parentPort!.on("message", (task: WorkerTask) => {
  run(task).then(
    (result) => parentPort!.postMessage({ type: "done", result } satisfies WorkerMessage<unknown>),
    (error: unknown) =>
      parentPort!.postMessage({
        type: "error",
        name: error instanceof Error ? error.name : "Error",
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
        user: isUserError(error),
      } satisfies WorkerMessage<unknown>),
  );
});
