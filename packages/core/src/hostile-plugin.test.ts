import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineDetector, type DetectorHooks } from "./detector.js";
import { DetectorError, ModelError } from "./errors.js";
import { NO_FINDINGS } from "./finding.js";
import { createFitter, mergeModels, modelFromJSON, modelToJSON, type Model } from "./model.js";
import { createPipeline } from "./pipeline.js";
import { createScorer } from "./score.js";
import { makeRecord } from "./testing.js";

// A plugin runs as code the user chose, and can fail anywhere: every hook's failure must name the
// detector (and the record, when there is one), never surface as an anonymous crash in oddity.

type Hook = "init" | "observe" | "merge" | "prepare" | "score" | "toJSON" | "fromJSON";

function failing(hook: Hook) {
  const fail = (at: Hook) => {
    if (at === hook) throw new Error(`${at} broke`);
  };
  return defineDetector({
    meta: { name: "flaky", description: "throws in one hook", apiVersion: 1, options: z.object({}) },
    create(): DetectorHooks<{ n: number }> {
      return {
        init: () => (fail("init"), { n: 0 }),
        observe: (state) => (fail("observe"), void state.n++),
        merge: (a, b) => (fail("merge"), { n: a.n + b.n }),
        prepare: () => fail("prepare"),
        score: () => (fail("score"), NO_FINDINGS),
        toJSON: (state) => (fail("toJSON"), { n: state.n }),
        fromJSON: (json) => (fail("fromJSON"), { n: (json as { n: number }).n }),
      };
    },
  });
}

const record = makeRecord({ source: "access.log", line: 42 });

function fit(hook: Hook): Model {
  const fitter = createFitter(
    createPipeline({ detectors: [{ use: "./flaky.js", definition: failing(hook) }] }),
  );
  fitter.observe(record);
  return fitter.finish();
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return null;
}

describe("a detector plugin that throws", () => {
  it.each([
    ["init", () => fit("init"), 'detector "flaky" threw while starting to fit: init broke'],
    ["observe", () => fit("observe"), 'detector "flaky" threw while fitting access.log:42: observe broke'],
    ["prepare", () => fit("prepare"), 'detector "flaky" threw while preparing the model: prepare broke'],
    [
      "merge",
      () => mergeModels(fit("merge"), fit("merge")),
      'detector "flaky" threw while merging models: merge broke',
    ],
    [
      "toJSON",
      () => modelToJSON(fit("toJSON")),
      'detector "flaky" threw while saving the model: toJSON broke',
    ],
    [
      "score",
      () => createScorer(fit("score"))(record),
      'detector "flaky" threw while scoring access.log:42: score broke',
    ],
  ] as const)("names the detector when %s throws", (hook, run, message) => {
    const error = thrown(run);
    expect([
      error instanceof DetectorError,
      (error as Error).message,
      ((error as Error).cause as Error).message,
    ]).toEqual([true, message, `${hook} broke`]);
  });

  it("turns a fromJSON failure into a ModelError naming the detector", async () => {
    const json = modelToJSON(fit("fromJSON"));
    await expect(
      modelFromJSON({ json, resolve: () => failing("fromJSON"), where: "m.json" }),
    ).rejects.toThrow(new ModelError('m.json: detectors[0] ("flaky") state is invalid: fromJSON broke'));
  });
});
