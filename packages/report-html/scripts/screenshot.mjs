// Renders the report of the bundled sample (examples/sample/access.log) with the default detectors and
// saves the screenshots the README shows. Run after `pnpm build`, with Debian's chromium installed
// (.ci/services/chromium.sh): `node scripts/screenshot.mjs`.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createPipeline, createScorer, fitBatches, readInputs, TopRecords } from "@oddity/core";
import conditional from "@oddity/detector-conditional";
import rarity from "@oddity/detector-rarity";
import size from "@oddity/detector-size";
import { chromium } from "playwright-core";
import { buildReport, createReportCollector, writeReport } from "../dist/index.js";

const here = import.meta.dirname;
const sample = path.resolve(here, "../../../examples/sample/access.log");
const docs = path.resolve(here, "../docs");
const output = path.resolve(here, "../test-output");
await mkdir(docs, { recursive: true });
await mkdir(output, { recursive: true });

const inputs = [sample];
const pipeline = createPipeline({
  detectors: [
    { use: "rarity", definition: rarity },
    { use: "conditional", definition: conditional },
    { use: "size", definition: size },
  ],
});
const { model } = await fitBatches({ pipeline, batches: readInputs({ inputs }) });
const score = createScorer(model);
const collector = createReportCollector();
const top = new TopRecords(100);
const stream = readInputs({ inputs });
for await (const batch of stream) {
  for (const record of batch.records) {
    const scored = score(record);
    collector.observe(record, scored);
    if (scored) top.add(scored);
  }
}
const data = buildReport({
  model,
  stats: stream.stats,
  inputs: ["examples/sample/access.log"],
  format: stream.format,
  anomalies: top.ranked(),
  collector,
  warnings: stream.warnings,
  generatedBy: "oddity",
  title: "oddity report: examples/sample/access.log",
});
const file = path.join(output, "sample-report.html");
const bytes = await writeReport({ data, path: file });
console.log(`${file}: ${bytes.toLocaleString("en-US")} bytes`);

const profile = await mkdtemp(path.join(tmpdir(), "oddity-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  viewport: { width: 1280, height: 900 },
});
try {
  const page = await context.newPage();
  await page.goto(pathToFileURL(file).href);
  const shot = async (selector, name, height) => {
    const box = await page.$eval(selector, (el) => {
      const r = el.getBoundingClientRect();
      return { y: r.top + window.scrollY, height: r.height };
    });
    await page.screenshot({
      path: path.join(docs, name),
      fullPage: true,
      clip: { x: 0, y: Math.max(0, box.y - 12), width: 1280, height: height ?? box.height + 24 },
    });
    console.log(`docs/${name}`);
  };
  await shot("header", "report-overview.png", 1760);
  // The frequency chart with the most flagged values that link to anomalies.
  const busiest = await page.$$eval(
    'figure[data-chart="frequency"]',
    (figures) =>
      figures.map((f) => [f.id, f.querySelectorAll("svg a").length]).sort((a, b) => b[1] - a[1])[0][0],
  );
  await shot(`#${busiest}`, "report-frequency.png");
  await shot("#conditionals", "report-heatmap.png", 620);
  await shot('figure[data-chart="distribution"]:last-of-type', "report-distribution.png");
  // The anomaly table filtered by a click on a chart mark, as a reader would use it.
  await page.locator(`#${busiest} svg a`).first().click();
  await shot("#anomalies", "report-anomalies.png", 900);
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
