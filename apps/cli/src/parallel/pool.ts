import { Worker } from "node:worker_threads";
import { UserError, type InputStats } from "@oddity/core";
import type { WorkerMessage, WorkerTask } from "./messages.js";

/**
 * Worker threads started before their work is known: they load oddity while the main thread reads the
 * config, plans the pieces or loads a model, and one pool serves every pass of a run (`detect` fits, then
 * scores, in the same threads). Each worker runs one task at a time.
 */
export interface WorkerPool {
  readonly size: number;
  /**
   * Runs `task` on worker `index` and resolves to its result. User errors (bad input, bad config) come
   * back as UserError; an abort of `signal` (Ctrl-C) terminates the worker.
   */
  run<Result>(options: {
    index: number;
    task: WorkerTask;
    signal: AbortSignal;
    onProgress: (stats: InputStats) => void;
  }): Promise<Result>;
  /** Stops every worker; the pool cannot be used afterwards. */
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  /** Why the worker can no longer run tasks (it failed or exited while idle), or null. */
  broken: Error | null;
}

/** Starts `size` workers (the `oddity-worker` bundle next to the bin). */
export function createWorkerPool(size: number): WorkerPool {
  const slots: Slot[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const slot: Slot = { worker: new Worker(new URL("./oddity-worker.js", import.meta.url)), broken: null };
      // Noted while idle, reported by the next task: an idle worker's failure must not crash the run.
      slot.worker.on("error", (error) => (slot.broken ??= error));
      slot.worker.on(
        "exit",
        (code) => (slot.broken ??= new Error(`oddity worker stopped with exit code ${code}`)),
      );
      // Idle workers do not keep the process alive; a worker with a task does (`run` refs it).
      slot.worker.unref();
      slots.push(slot);
    }
  } catch (error) {
    // Workers already started would keep the process alive.
    for (const slot of slots) void slot.worker.terminate();
    throw error;
  }
  let closed = false;

  return {
    size,
    run<Result>({
      index,
      task,
      signal,
      onProgress,
    }: {
      index: number;
      task: WorkerTask;
      signal: AbortSignal;
      onProgress: (stats: InputStats) => void;
    }): Promise<Result> {
      const slot = slots[index];
      if (slot === undefined || closed) return Promise.reject(new Error(`no worker ${index} in the pool`));
      if (slot.broken !== null) return Promise.reject(slot.broken);
      const { worker } = slot;
      return new Promise<Result>((resolve, reject) => {
        const stop = () => void worker.terminate();
        const onMessage = (message: WorkerMessage<Result>) => {
          if (message.type === "progress") onProgress(message.stats);
          else if (message.type === "done") settle(() => resolve(message.result));
          else {
            settle(() => {
              if (message.user) reject(new UserError(message.message));
              // The name travels too: a DetectorError must still blame the plugin, not oddity.
              else
                reject(
                  Object.assign(new Error(message.message), { name: message.name, stack: message.stack }),
                );
            });
            void worker.terminate();
          }
        };
        const onError = (error: Error) => settle(() => reject(error));
        const onExit = (code: number) =>
          settle(() =>
            reject(
              signal.aborted && signal.reason instanceof Error
                ? signal.reason
                : new Error(`oddity worker stopped with exit code ${code}`),
            ),
          );
        let settled = false;
        function settle(fn: () => void): void {
          if (settled) return;
          settled = true;
          worker.unref();
          signal.removeEventListener("abort", stop);
          worker.off("message", onMessage);
          worker.off("error", onError);
          worker.off("exit", onExit);
          fn();
        }
        if (signal.aborted) {
          stop();
          reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
          return;
        }
        signal.addEventListener("abort", stop, { once: true });
        worker.on("message", onMessage);
        worker.on("error", onError);
        worker.on("exit", onExit);
        worker.ref();
        worker.postMessage(task);
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
