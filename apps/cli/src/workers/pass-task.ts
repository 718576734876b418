import { parentPort } from "node:worker_threads";
import {
  ConditionalProfiler,
  FieldProfiler,
  TopRecords,
  createScorer,
  emptyStats,
  modelFromJSON,
  type ConditionalProfileCounts,
  type FieldProfileCounts,
  type InputStats,
  type Model,
} from "@oddity/core";
import { loadConfig } from "../config/load.js";
import type { OddityConfig } from "../config/normalize.js";
import { loadModel } from "../model-io.js";
import { AnomalySpool, type SpoolHandle } from "../output/spool.js";
import type { PassTask, PassWorkerData, WorkerMessage } from "../parallel/messages.js";
import { readPiece, sumStats, type PieceOutcome } from "../parallel/outcome.js";
import { throttle } from "../parallel/throttle.js";
import { createPluginLoader } from "../plugins/load.js";

/** One piece's anomalies: the best `limit` ranked, or all in input order. */
export interface PieceScores {
  flagged: number;
  highest: number;
  anomalies: SpoolHandle;
}

/** What a pass worker sends back (structured-clone safe). */
export interface PassResult {
  pieces: PieceOutcome[];
  profile: { fields: FieldProfileCounts; conditional: ConditionalProfileCounts[] } | null;
  scores: PieceScores[] | null;
}

async function openModel(task: Extract<PassTask, { kind: "score" }>, config: OddityConfig): Promise<Model> {
  const loader = createPluginLoader();
  if ("file" in task.model) return loadModel({ file: task.model.file, loader, config });
  const { dir } = task.model;
  return modelFromJSON({
    json: task.model.json,
    where: "detect worker",
    resolve: (use) => loader(use, { where: `detector "${use}"`, dir }),
  });
}

/** Reads the pieces of one shard for a profile or a score (runs in a pooled worker). */
export async function passTask(data: PassWorkerData): Promise<PassResult> {
  // Loading the config checks it as the main thread did; plugins resolve from the same folder.
  const { config } = await loadConfig({ cwd: data.cwd, configPath: data.configFile ?? undefined });
  const { task } = data;
  // Progress counts the shard's finished pieces plus the one being read.
  let done = emptyStats();
  const progress = throttle({
    post: (stats: InputStats) =>
      parentPort!.postMessage({
        type: "progress",
        stats: sumStats([done, stats]),
      } satisfies WorkerMessage<PassResult>),
  });
  const outcomes: PieceOutcome[] = [];
  const finishPiece = (outcome: PieceOutcome) => {
    outcomes.push(outcome);
    done = sumStats([done, outcome.stats]);
  };

  if (task.kind === "profile") {
    const profiler = new FieldProfiler(task.given === null ? task.fields : []);
    const given = task.given;
    const conditional =
      given === null ? [] : task.fields.map((field) => new ConditionalProfiler(given, field));
    for (const piece of data.pieces) {
      const outcome = await readPiece({
        piece,
        maxLineLength: data.maxLineLength,
        keepRejections: data.keepRejections,
        onProgress: progress,
        onRecord: (record) => {
          profiler.observe(record);
          for (const c of conditional) c.observe(record);
        },
      });
      finishPiece(outcome);
    }
    return {
      pieces: outcomes,
      profile: { fields: profiler.toCounts(), conditional: conditional.map((c) => c.toCounts()) },
      scores: null,
    };
  }

  const model = await openModel(task, config);
  const score = createScorer(model);
  const scores: PieceScores[] = [];
  const { spool } = task;
  for (const piece of data.pieces) {
    const ranked = Number.isFinite(task.limit);
    if (!ranked && spool === null) throw new Error("a score task keeping every anomaly needs a spool");
    const top = new TopRecords(task.limit);
    // Every anomaly, in input order, in bounded memory: a piece of a huge log can flag millions.
    const all = ranked
      ? null
      : new AnomalySpool({ dir: () => spool!.folder, memoryLimit: spool!.memoryLimit });
    let flagged = 0;
    let highest = Number.NEGATIVE_INFINITY;
    const outcome = await readPiece({
      piece,
      maxLineLength: data.maxLineLength,
      keepRejections: data.keepRejections,
      onProgress: progress,
      onRecord: (record) => {
        const scored = score(record);
        if (scored === null || scored.score < task.minScore) return;
        flagged++;
        if (scored.score > highest) highest = scored.score;
        if (all === null) top.add(scored);
        else all.add(scored);
      },
    });
    finishPiece(outcome);
    scores.push({
      flagged,
      highest,
      anomalies: all === null ? { kind: "memory", anomalies: top.ranked() } : all.seal(),
    });
  }
  return { pieces: outcomes, profile: null, scores };
}
