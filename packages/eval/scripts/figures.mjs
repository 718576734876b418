// The generated-traffic figures behind docs/evaluation.md: `pnpm --filter @oddity/eval run figures`.
// Runs the default pipeline in every scenario (full tables), then compares option variants on the same
// logs (one line each, averaged over the seeds). Options: --lines N (default 50000), --seeds 1,2,3,
// --rate R (default 0.01), --log FILE... (a real combined log instead of generated traffic),
// --variants name,name (default all), --json FILE.
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { createParser } from "@oddity/core";
import { defaultPipeline, formatReport, runEvaluation } from "../dist/index.js";

const { values } = parseArgs({
  options: {
    lines: { type: "string", default: "50000" },
    seeds: { type: "string", default: "1,2,3" },
    rate: { type: "string", default: "0.01" },
    log: { type: "string", multiple: true },
    variants: { type: "string" },
    json: { type: "string" },
  },
});

/** Each variant changes one default, so its row reads as "what if this default were ...". */
const IDS = ["rarity", "conditional", "size", "params", "client", "client-by-agent"];
const alone = (id) => ({
  without: IDS.filter((other) => other !== id && !(id === "client" && other === "client-by-agent")),
});
const VARIANTS = {
  default: {},
  "combine sum": { scoring: { combine: "sum" } },
  "combine max": { scoring: { combine: "max" } },
  "rarity alone": alone("rarity"),
  "conditional alone": alone("conditional"),
  "size alone": alone("size"),
  "params alone": alone("params"),
  "client alone (both keys)": alone("client"),
  "without rarity": { without: ["rarity"] },
  "without conditional": { without: ["conditional"] },
  "without size": { without: ["size"] },
  "without params": { without: ["params"] },
  "without client (both keys)": { without: ["client", "client-by-agent"] },
  "rarity budget 0.001": { options: { rarity: { budget: 0.001 } } },
  "rarity budget 0.01": { options: { rarity: { budget: 0.01 } } },
  "rarity minCount null (the lesson's recipe)": { options: { rarity: { minCount: null } } },
  "rarity minCount 10": { options: { rarity: { minCount: 10 } } },
  "rarity minCount 40": { options: { rarity: { minCount: 40 } } },
  "conditional threshold 0.001": { options: { conditional: { threshold: 0.001 } } },
  "conditional minSupport 50": { options: { conditional: { minSupport: 50 } } },
  "size k 3": { options: { size: { groupBy: ["path_template", "status"], k: 3 } } },
  "size grouped by path_template only": { options: { size: {} } },
};

async function readLog(files) {
  const parser = createParser({ name: "combined" });
  const records = [];
  for (const file of files) {
    const bytes = await readFile(file);
    const lines = (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8").split("\n");
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      const record = parser.parse(line, file, i + 1);
      if (typeof record !== "string") records.push(record);
    });
  }
  return records;
}

const seeds = values.seeds.split(",").map(Number);
const lines = Number(values.lines);
const rate = Number(values.rate);
const records = values.log ? await readLog(values.log) : undefined;
const names = values.variants ? values.variants.split(",") : Object.keys(VARIANTS);
const fmt = (v) => (v === null || Number.isNaN(v) ? "  n/a" : v.toFixed(3));
const mean = (xs) => (xs.some((x) => x === null) ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

const all = {};
const rows = [];
for (const name of names) {
  const started = performance.now();
  const reports = [];
  for (const seed of seeds) {
    const { report, text } = await runEvaluation({
      pipeline: defaultPipeline(VARIANTS[name]),
      records,
      inputName: values.log?.join(" "),
      lines,
      seed,
      rate,
    });
    reports.push(report);
    if (name === "default" && seed === seeds[0]) console.log(`${text}\n`);
  }
  all[name] = reports;
  for (const scenario of reports[0].scenarios.map((s) => s.scenario)) {
    const pick = (f) =>
      mean(reports.map((r) => f(r.scenarios.find((s) => s.scenario === scenario).result.overall)));
    rows.push([
      name,
      scenario,
      fmt(pick((m) => m.precision)),
      fmt(pick((m) => m.recall)),
      fmt(pick((m) => m.f1)),
      fmt(pick((m) => m.rPrecision)),
      fmt(pick((m) => m.precisionAtK.find((p) => p.k === 10)?.precision ?? null)),
      fmt(pick((m) => m.precisionAtK.find((p) => p.k === 100)?.precision ?? null)),
      fmt(pick((m) => m.rocAuc)),
    ]);
  }
  console.error(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const header = ["variant", "scenario", "precision", "recall", "F1", "R-prec", "P@10", "P@100", "ROC AUC"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log(
  `mean over seeds ${seeds.join(", ")}${records ? "" : `, ${lines} generated lines`}, rate ${rate}`,
);
console.log(line(header));
for (const r of rows) console.log(line(r));
if (values.json) await writeFile(values.json, `${JSON.stringify(all, null, 2)}\n`);
