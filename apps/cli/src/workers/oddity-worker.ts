import { parentPort } from "node:worker_threads";
import { isUserError } from "@oddity/core";
import type { WorkerMessage, WorkerTask } from "../parallel/messages.js";
import { fitTask } from "./fit-task.js";
import { passTask } from "./pass-task.js";

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
