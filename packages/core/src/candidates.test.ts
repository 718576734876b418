import { describe, expect, it } from "vitest";
import { z } from "zod";
import { flagRows, planCandidates } from "./candidates.js";
import { MAPPABLE_FIELDS } from "./counted.js";
import { API_VERSION, defineDetector, type DetectorHooks } from "./detector.js";
import { NO_FINDINGS } from "./finding.js";
import { fieldReader } from "./fields.js";
import { createFitter } from "./model.js";
import { createPipeline } from "./pipeline.js";
import { checkFootprints, makeRecords } from "./testing.js";

// Flags server errors on one path template; its finding names the template only, and `footprint` is
// what it declares (honest: template and status).
function errorWatcher(footprint: readonly string[] | undefined) {
  return defineDetector({
    meta: {
      name: "errors",
      description: "server errors on /x",
      apiVersion: API_VERSION,
      options: z.object({}),
    },
    create(): DetectorHooks<null> {
      const template = fieldReader("path_template");
      return {
        init: () => null,
        observe() {},
        merge: () => null,
        score(_, record) {
          const t = template(record);
          if (t !== "/x/:n" || record.status === null || record.status < 500) return NO_FINDINGS;
          return [
            {
              detector: "errors",
              kind: "error",
              fields: ["path_template"],
              values: [t],
              probability: 0.001,
              surprisal: 10,
              threshold: { name: "probability", direction: "below", value: 0.01 },
              counts: {},
              message: `${t} failed`,
            },
          ];
        },
        toJSON: () => null,
        fromJSON: () => null,
        ...(footprint === undefined ? {} : { footprints: [footprint] }),
      };
    },
  });
}

const records = makeRecords([
  { times: 3, path: "/x/1", status: 500 },
  { times: 2, path: "/x/2", status: 200 },
  { times: 1, path: "/y", status: 503 },
]);

function modelOf(footprint: readonly string[] | undefined) {
  const pipeline = createPipeline({ detectors: [{ use: "errors", definition: errorWatcher(footprint) }] });
  const fitter = createFitter(pipeline);
  for (const record of records) fitter.observe(record);
  return fitter.finish();
}

describe("candidate records", () => {
  it("groups by the footprint, the template by the engine itself with a path to stand for it", () => {
    const plan = planCandidates(modelOf(["path_template", "status"]).pipeline, { derive: MAPPABLE_FIELDS })!;
    expect(plan.queries.map((q) => [q.query.fields, q.representatives])).toEqual([
      [["path_template", "status"], ["path"]],
    ]);
    expect(plan.derived).toEqual([{ field: "path_template", from: "path" }]);
  });

  it("flags exactly the combinations whose records get a finding", () => {
    const model = modelOf(["path_template", "status"]);
    const candidate = planCandidates(model.pipeline, { derive: MAPPABLE_FIELDS })!.queries[0]!;
    const rows = [
      { values: ["/x/:n", 500], representatives: ["/x/1"] },
      { values: ["/x/:n", 200], representatives: ["/x/2"] },
      { values: ["/y", 503], representatives: ["/y"] },
    ];
    expect(flagRows({ model, candidate, rows })).toEqual([true, false, false]);
  });

  it("asks for every record when a detector declares no footprints", () => {
    expect(planCandidates(modelOf(undefined).pipeline)).toBeNull();
  });

  it("the kit passes an honest footprint and names a record whose findings depend on a field left out", () => {
    expect(() =>
      checkFootprints({ detector: errorWatcher(["path_template", "status"]), records }),
    ).not.toThrow();
    expect(() => checkFootprints({ detector: errorWatcher(["path_template"]), records })).toThrow(
      /the findings within footprint \[path_template\] depend on other fields/,
    );
  });
});
