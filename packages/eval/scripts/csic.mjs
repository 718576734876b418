// The CSIC 2010 run behind docs/evaluation.md: `pnpm --filter @oddity/eval run csic [-- options]`.
// Options: --data DIR (default: the first 2,000 requests of each file, in tooling/fixtures/csic2010; the
// published figures are for the whole files, see that folder's SOURCE.md), --limit N, --protect,
// --no-merge-body, --combine sum|max|sum-max (default: the pipeline default), --json FILE (write the figures as JSON too).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { fixture } from "@oddity/fixtures";
import { defaultPipeline, evaluateCsic, formatCsicEvaluation } from "../dist/index.js";

const { values } = parseArgs({
  options: {
    data: { type: "string", default: path.dirname(fixture("csic2010/anomalousTrafficTest.txt.gz")) },
    limit: { type: "string" },
    protect: { type: "boolean", default: false },
    "no-merge-body": { type: "boolean", default: false },
    combine: { type: "string" },
    json: { type: "string" },
  },
});

const started = performance.now();
const evaluation = await evaluateCsic({
  pipeline: defaultPipeline({ scoring: values.combine === undefined ? {} : { combine: values.combine } }),
  dataDir: values.data,
  limit: values.limit === undefined ? undefined : Number(values.limit),
  mergeBody: !values["no-merge-body"],
  protect: values.protect,
});
console.log(formatCsicEvaluation(evaluation));
console.error(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
if (values.json) await writeFile(values.json, `${JSON.stringify(evaluation, null, 2)}\n`);
