import type { InputStats, ModelFile } from "@oddity/core";
import type { FormattedPiece } from "./pieces.js";

// The protocol between the pool and its workers, on its own so both sides import it and neither imports
// the other: tasks go in, messages come back.

/** What the main thread sends a fit worker. */
export interface FitWorkerData {
  cwd: string;
  /** The config file the main thread loaded (absolute), null for the defaults. */
  configFile: string | null;
  pieces: FormattedPiece[];
  maxLineLength?: number;
}

/** What a worker does with the records of its pieces. */
export type PassTask =
  | { kind: "profile"; fields: string[]; given: string | null }
  | {
      kind: "score";
      /** A model file to load, or the model itself (detect fits it in this run). */
      model: { file: string } | { json: ModelFile; dir: string };
      minScore: number;
      /** Anomalies kept per piece, best first; Infinity keeps all of them in input order. */
      limit: number;
      /** Where pieces with many anomalies spool them (needed when `limit` is Infinity). */
      spool: { folder: string; memoryLimit: number } | null;
    };

/** What the main thread sends a pass worker. */
export interface PassWorkerData {
  cwd: string;
  configFile: string | null;
  pieces: FormattedPiece[];
  maxLineLength?: number | undefined;
  keepRejections: boolean;
  task: PassTask;
}

/** One unit of work for a pooled worker: fit a shard, or read pieces for a profile or a score. */
export type WorkerTask = ({ kind: "fit" } & FitWorkerData) | ({ kind: "pass" } & PassWorkerData);

/** Messages every oddity worker posts: running totals, its result, or what went wrong. */
export type WorkerMessage<Result> =
  | { type: "progress"; stats: InputStats }
  | { type: "done"; result: Result }
  | { type: "error"; name: string; message: string; stack: string | undefined; user: boolean };
