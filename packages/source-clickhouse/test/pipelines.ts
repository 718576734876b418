// Pipelines and helpers the cluster tests share.
import { client as clientDetector } from "@oddity/detector-client";
import { conditional } from "@oddity/detector-conditional";
import { params } from "@oddity/detector-params";
import { rarity } from "@oddity/detector-rarity";
import { size } from "@oddity/detector-size";
import { targets } from "@oddity/detector-targets";
import path from "node:path";
import {
  createPipeline,
  fitBatches,
  modelToJSON,
  type LogRecord,
  type Model,
  type Pipeline,
  type RecordBatch,
} from "@oddity/core";

/** The fixture logs the cluster tests load: the bundled sample (gzipped) and lines that test the parser. */
export const FIXTURE_LOGS = ["sample.log.gz", "tricky.log"].map((f) =>
  path.join(import.meta.dirname, "fixtures", f),
);

/**
 * Rarity, conditional pairs over raw and derived fields (`path_template`, `hour`, `endpoint`), size by
 * template and status, and params (`query` beside `path_template`); with `rest`, also the client and
 * targets detectors of the default pipeline (`ip` beside `path_template`).
 */
export function derivedPipeline({ rest = false }: { rest?: boolean } = {}): Pipeline {
  return createPipeline({
    detectors: [
      { use: "rarity", definition: rarity },
      {
        use: "conditional",
        definition: conditional,
        options: {
          pairs: [
            { given: "ip", target: "status" },
            { given: "path_template", target: "method" },
            { given: "hour", target: "user_agent" },
            { given: "referer", target: "size" },
            { given: "endpoint", target: "status" },
          ],
        },
      },
      { use: "size", definition: size, options: { groupBy: ["path_template", "status"] } },
      { use: "params", definition: params },
      ...(rest
        ? [
            { use: "client", definition: clientDetector },
            { use: "targets", definition: targets },
          ]
        : []),
    ],
  });
}

/** Every record of a stream, in order. */
export async function collectRecords(stream: AsyncIterable<RecordBatch>): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of stream) records.push(...batch.records);
  return records;
}

/** A model's saved form but for `sources`: what a cluster fit and an in-process fit must agree on. */
export function withoutSources(model: Model): unknown {
  const { sources: _sources, ...rest } = modelToJSON(model);
  return rest;
}

/**
 * A rarity model over `primary_key` whose baseline saw each of `records`' keys three times but every
 * 50th: those keys are new, so it flags their records, and only those (`flagged` of them).
 */
export async function newKeysModel(
  records: readonly LogRecord[],
): Promise<{ model: Model; flagged: number }> {
  const seen = records.filter((r) => Number(r.extra!.primary_key) % 50 !== 0);
  const { model } = await fitBatches({
    pipeline: createPipeline({
      detectors: [{ use: "rarity", definition: rarity, options: { fields: ["primary_key"] } }],
    }),
    batches: [{ records: [...seen, ...seen, ...seen], rejections: [], blank: 0, read: seen.length * 3 }],
  });
  return { model, flagged: records.length - seen.length };
}
