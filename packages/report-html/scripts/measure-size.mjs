// Measures the size of the HTML report on real logs and on a generated 1,000,000-line log, the way
// `oddity detect --report` builds it: fit the default detectors, score, collect, keep the top 100.
// Run after `pnpm build` (this package and its dependencies): `node scripts/measure-size.mjs`.
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fixture } from "@oddity/fixtures";
import { createPipeline, createScorer, fitBatches, readInputs, TopRecords } from "@oddity/core";
import conditional from "@oddity/detector-conditional";
import rarity from "@oddity/detector-rarity";
import size from "@oddity/detector-size";
import { buildReport, createReportCollector, renderReport } from "../dist/index.js";

const here = import.meta.dirname;
const TOP = 100;

async function measure(name, inputs) {
  const started = performance.now();
  const pipeline = createPipeline({
    detectors: [
      { use: "rarity", definition: rarity },
      { use: "conditional", definition: conditional },
      { use: "size", definition: size },
    ],
  });
  const { model } = await fitBatches({ pipeline, batches: readInputs({ inputs }) });
  const fitted = performance.now();
  const score = createScorer(model);
  const collector = createReportCollector();
  const top = new TopRecords(TOP);
  const stream = readInputs({ inputs });
  for await (const batch of stream) {
    for (const record of batch.records) {
      const scored = score(record);
      collector.observe(record, scored);
      if (scored) top.add(scored);
    }
  }
  const scoredAt = performance.now();
  const report = buildReport({
    model,
    stats: stream.stats,
    inputs,
    format: stream.format,
    anomalies: top.ranked(),
    collector,
    warnings: stream.warnings,
    generatedBy: "measure-size.mjs",
  });
  const html = await renderReport(report);
  const done = performance.now();
  const bytes = Buffer.byteLength(html);
  console.log(
    `${name}: ${stream.stats.read.toLocaleString("en-US")} lines, ${collector.flagged.toLocaleString("en-US")} flagged -> ` +
      `report ${(bytes / 1024).toFixed(0)} KiB (${bytes.toLocaleString("en-US")} bytes), ` +
      `${report.summaries.length} summaries, ${report.timeline?.buckets.length ?? 0} timeline buckets of ${report.timeline?.bucketMs ?? 0} ms; ` +
      `fit ${((fitted - started) / 1000).toFixed(1)} s, score ${((scoredAt - fitted) / 1000).toFixed(1)} s, ` +
      `build+render ${((done - scoredAt) / 1000).toFixed(1)} s; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
}

/**
 * 1,000,000 lines from the WordPress hackathon log (10,000 real lines): each pass over it is moved 16
 * days later and gets its own client addresses, so the timeline spans four years and the ip field
 * has ~140,000 distinct values, a worst case for aggregation.
 */
async function generateMillion(file) {
  const source = fixture("wap-hackathon-nginx/access.log");
  const lines = [];
  for await (const line of createInterface({ input: createReadStream(source) })) lines.push(line);
  const out = createWriteStream(file);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n) => String(n).padStart(2, "0");
  for (let pass = 0; pass < 100; pass++) {
    const chunk = [];
    for (const line of lines) {
      const m =
        /^(\d+)\.(\d+)\.(\d+)\.(\d+) (.*?)\[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\](.*)$/.exec(
          line,
        );
      if (!m) {
        chunk.push(line);
        continue;
      }
      const t = Date.UTC(+m[8], months.indexOf(m[7]), +m[6], +m[9], +m[10], +m[11]) + pass * 16 * 86_400_000;
      const d = new Date(t);
      const stamp = `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${m[12]}`;
      chunk.push(`${m[1]}.${m[2]}.${(+m[3] + pass) % 256}.${m[4]} ${m[5]}[${stamp}]${m[13]}`);
    }
    if (!out.write(`${chunk.join("\n")}\n`)) await new Promise((resolve) => out.once("drain", resolve));
  }
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
}

const sample = path.resolve(here, "../../../examples/sample/access.log");
if (existsSync(sample)) await measure("examples/sample/access.log", [sample]);
await measure("codeup access.log + lesson-synthetic.log", [
  fixture("codeup-api-access/access.log"),
  fixture("codeup-api-access/lesson-synthetic.log"),
]);
await measure("wap-hackathon-nginx access.log", [fixture("wap-hackathon-nginx/access.log")]);
const dir = await mkdtemp(path.join(tmpdir(), "oddity-measure-"));
try {
  const million = path.join(dir, "million.log");
  await generateMillion(million);
  await measure("generated 1,000,000-line log", [million]);
} finally {
  await rm(dir, { recursive: true, force: true });
}
