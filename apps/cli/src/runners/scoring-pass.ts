import type { InputStats, LogRecord, Model, Rejection, ScoredRecord } from "@oddity/core";
import type { InputStream } from "../input/concat.js";
import type { InputSpec } from "../input/open.js";
import type { Progress } from "../output/progress.js";
import { readSpool, type SpoolHandle } from "../output/spool.js";
import type { PassTask } from "../parallel/messages.js";
import { piecesAnomalies } from "../parallel/pass.js";
import type { WorkerPool } from "../parallel/pool.js";
import {
  openPass,
  passInWorkers,
  tapBatches,
  warnRejections,
  type RejectsWriter,
  type Session,
} from "./common.js";
import type { InputOptions, RunContext } from "./context.js";

/** What a worker thread does in a scoring pass: which model, which floor, how many anomalies to keep. */
export type ScoreTask = Extract<PassTask, { kind: "score" }>;

/** What one scoring pass over the inputs read and flagged. */
export interface ScoringOutcome {
  stats: InputStats;
  /** The log format that was read (sniffed or given). */
  inputFormat: string | null;
  /** Anomalies found, whether or not they are shown. */
  flagged: number;
  /** The highest score flagged; -Infinity when nothing was. */
  highest: number;
}

/** Receives each anomaly; a promise makes the pass wait (a slow sink holds back reading). */
export type OnAnomaly = (scored: ScoredRecord) => void | Promise<void>;

/**
 * Receives the anomalies of a piece scored in a worker, as a whole, instead of one by one through
 * `OnAnomaly`; `lineOffset` turns its line numbers into the file's.
 */
export type OnPiece = (anomalies: SpoolHandle, lineOffset: number) => void;

/** The two ways to score a run's inputs; both write rejects, warn and count alike. */
export interface ScoringPass {
  /**
   * Scores files in worker threads as `task` says; each piece's anomalies reach `onAnomaly` in input
   * order, with line numbers counted from the start of their file.
   */
  inWorkers(pass: { inputs: string[]; pool: WorkerPool; task: ScoreTask }): Promise<ScoringOutcome>;
  /**
   * Scores the inputs in this thread: `score` returns the anomaly a record is, or null; each anomaly
   * reaches `onAnomaly` the moment its line is read. With the `model` `score` scores against, a database
   * that can select the records it could flag streams back only those (ClickHouse).
   */
  here(pass: {
    inputs: readonly InputSpec[];
    score: (record: LogRecord) => ScoredRecord | null;
    model?: Model | undefined;
  }): Promise<ScoringOutcome>;
  /** Scores a stream opened elsewhere (an engine's records) in this thread, as `here` scores its inputs. */
  fromStream(pass: {
    stream: InputStream;
    score: (record: LogRecord) => ScoredRecord | null;
  }): Promise<ScoringOutcome>;
}

/** Binds what both ways of scoring need from the run. */
export function createScoringPass({
  session,
  options,
  ctx,
  rejects,
  onAnomaly,
  onPiece,
}: {
  session: Session;
  options: Pick<InputOptions, "strict" | "quiet" | "maxLineLength" | "rejects">;
  ctx: RunContext;
  rejects: RejectsWriter | null;
  onAnomaly: OnAnomaly;
  /** When given, pieces scored in workers go here whole (a ranking adopts them) instead of to `onAnomaly`. */
  onPiece?: OnPiece | undefined;
}): ScoringPass {
  // Both ways end alike: the stream's own warnings first, then the count of rejected lines.
  const warnAfter = ({
    warnings,
    stats,
    first,
  }: {
    warnings: readonly string[];
    stats: InputStats;
    first: Rejection | null;
  }): void => {
    for (const warning of warnings) session.reporter.warn(warning);
    warnRejections({ reporter: session.reporter, stats, first, rejectsFile: options.rejects });
  };

  const scoreStream = async (
    stream: InputStream,
    score: (record: LogRecord) => ScoredRecord | null,
    progress?: Progress,
  ): Promise<ScoringOutcome> => {
    const seen: { first: Rejection | null } = { first: null };
    let flagged = 0;
    let highest = Number.NEGATIVE_INFINITY;
    try {
      for await (const batch of tapBatches({ stream, rejects, strict: options.strict === true, seen })) {
        for (const record of batch.records) {
          const scored = score(record);
          if (scored === null) continue;
          flagged++;
          if (scored.score > highest) highest = scored.score;
          // Awaiting only real promises keeps the per-record loop free of needless microtask turns.
          const pending = onAnomaly(scored);
          if (pending) await pending;
        }
      }
    } finally {
      progress?.stop();
    }
    warnAfter({ warnings: stream.warnings, stats: stream.stats, first: seen.first });
    return { stats: stream.stats, inputFormat: stream.format, flagged, highest };
  };

  return {
    async inWorkers({ inputs, pool, task }) {
      const pass = await passInWorkers({ pool, session, inputs, options, ctx, task, label: "scoring" });
      if (rejects !== null) await rejects.add(pass.joined.rejections);
      let flagged = 0;
      let highest = Number.NEGATIVE_INFINITY;
      for (const piece of piecesAnomalies(pass)) {
        flagged += piece.flagged;
        if (piece.highest > highest) highest = piece.highest;
        if (onPiece !== undefined) {
          onPiece(piece.anomalies, piece.lineOffset);
          continue;
        }
        const reader = readSpool(piece.anomalies);
        try {
          for (let i = 0; i < reader.size; i++) await onAnomaly(reader.get(i, piece.lineOffset));
        } finally {
          reader.close();
        }
      }
      const { stats, format, warnings, firstRejection } = pass.joined;
      warnAfter({ warnings, stats, first: firstRejection });
      return { stats, inputFormat: format, flagged, highest };
    },

    async here({ inputs, score, model }) {
      const { stream, progress } = await openPass({
        session,
        inputs,
        options,
        ctx,
        label: "scoring",
        model,
      });
      return scoreStream(stream, score, progress);
    },

    fromStream({ stream, score }) {
      return scoreStream(stream, score);
    },
  };
}
