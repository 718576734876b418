#!/usr/bin/env node
// oddity's benchmark suite: generates deterministic logs, runs the built CLI and an in-run hand-written
// baseline as separate processes on the same files, and reports throughput, peak RSS and the ratio of
// each oddity command to the baseline. Ratios, not seconds, are the headline: they travel between machines.
//
//   pnpm bench                          100k and 1M lines, normal traffic, 3 runs each (best kept)
//   pnpm bench --quick                  1M lines, one run each: a few minutes
//   pnpm bench --sizes 10M --variants highcard      the memory check (10M lines, 1M paths, 100k ips)
//   pnpm bench --sizes 10M --runs 1 --only clickhouse,clickhouse-lines
//                                       bytes a fit in a 2-shard ClickHouse cluster sends back (opt-in:
//                                       needs clickhouse-server; parsed columns, raw-line column)
//   options: --sizes 100k,1M,10M  --variants normal,highcard  --runs N  --jobs N  --only fit,detect,engine
//            --no-compare (skip mawk/GoAccess)  --out FILE (default bench/results/latest.json)
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { benchClickHouse } from "./lib/clickhouse.mjs";
import { comparisons } from "./lib/compare.mjs";
import { ensureLog, GENERATOR_VERSION } from "./lib/generate.mjs";
import { measure } from "./lib/measure.mjs";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "apps/cli/dist/bin.js");
const node = process.execPath;

const { values: flags } = parseArgs({
  options: {
    sizes: { type: "string" },
    variants: { type: "string", default: "normal" },
    runs: { type: "string" },
    jobs: { type: "string", default: "2" },
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    "no-compare": { type: "boolean", default: false },
    out: { type: "string" },
  },
  allowPositionals: false,
});

function parseSize(text) {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (match === null) throw new Error(`--sizes: cannot read ${JSON.stringify(text)} (e.g. 100k, 1M, 10M)`);
  const scale = { "": 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match[2]];
  return Math.round(Number(match[1]) * scale);
}

const sizes = (flags.sizes ?? (flags.quick ? "1M" : "100k,1M")).split(",").map(parseSize);
const variants = flags.variants.split(",").map((v) => v.trim());
const runs = Number(flags.runs ?? (flags.quick ? 1 : 3));
const jobs = Number(flags.jobs);
const only = flags.only === undefined ? null : new Set(flags.only.split(","));
const dataDir = path.join(root, "bench/.data");
const work = path.join(dataDir, "work");
mkdirSync(work, { recursive: true });

const log = (message) => process.stderr.write(`${message}\n`);

// What a ratio compares: CPU seconds (user + system) when known, since other processes on a shared
// machine stretch wall time far more than CPU time; else wall seconds.
const cost = (result) => result.cpuSeconds ?? result.seconds;

/** Runs a measurement `runs` times and keeps the cheapest (the least disturbed by other load). */
async function best({ command, args, sampleEveryMs = 0, times = runs, by = cost }) {
  let kept = null;
  let peak = 0;
  for (let i = 0; i < times; i++) {
    const result = await measure({ command, args, cwd: root, sampleEveryMs });
    if (result.code !== 0) {
      throw new Error(
        `${path.basename(command)} ${args.join(" ")} exited with ${result.code}:\n${result.stderr}`,
      );
    }
    peak = Math.max(peak, result.maxRss ?? 0);
    if (kept === null || by(result) < by(kept)) kept = result;
  }
  return { ...kept, maxRss: peak || null };
}

const wall = (result) => result.seconds;

const oddity = (...args) => ({ command: node, args: [cli, ...args, "--quiet"] });
const baseline = (mode, file) => ({
  command: node,
  args: [path.join(root, "bench/lib/baseline.mjs"), mode, file],
});

function wanted(task) {
  return only === null || only.has(task) || only.has(task.split(" ")[0]);
}

const rows = [];
const checks = [];

function record({ dataset, task, result, lines, bytes, against, target = null }) {
  const spent = cost(result);
  const row = {
    dataset,
    task,
    seconds: Number(result.seconds.toFixed(3)),
    cpuSeconds: result.cpuSeconds === null ? null : Number(result.cpuSeconds.toFixed(3)),
    linesPerSecond: Math.round(lines / spent),
    mbPerSecond: Number((bytes / 1e6 / spent).toFixed(1)),
    peakRssMb: result.maxRss === null ? null : Math.round(result.maxRss / 2 ** 20),
    against: against?.task ?? null,
    ratio:
      against === undefined ? null : Number((spent / (against.cpuSeconds ?? against.seconds)).toFixed(2)),
    target,
  };
  rows.push(row);
  const ratio = row.ratio === null ? "" : ` ${row.ratio}× ${row.against}`;
  log(
    `  ${task.padEnd(28)} ${row.seconds.toFixed(2).padStart(7)} s, cpu ${String(row.cpuSeconds ?? "?").padStart(6)} s ${String(row.peakRssMb ?? "?").padStart(5)} MB${ratio}`,
  );
  return row;
}

async function benchDataset({ variant, lines }) {
  const data = ensureLog({ dir: dataDir, lines, variant, log });
  const { file, bytes } = data;
  const dataset = `${variant} ${lines >= 1e6 ? `${lines / 1e6}M` : `${lines / 1e3}k`}`;
  log(`\n${dataset}: ${lines.toLocaleString("en-US")} lines, ${(bytes / 1e6).toFixed(0)} MB`);
  const model = path.join(work, `model-${variant}-${lines}.json`);
  const add = (task, result, against, target) =>
    record({ dataset, task, result, lines, bytes, against, target });

  const base = {};
  for (const mode of ["lines", "parse", "count", "score"]) {
    if (!wanted(`baseline ${mode}`) && !(mode === "count" || mode === "parse")) continue;
    const result = await best(baseline(mode, file));
    base[mode] = add(`baseline ${mode}`, result);
  }
  if (wanted("parse"))
    add(
      "oddity parse (core)",
      await best({ command: node, args: [path.join(root, "bench/lib/parse.mjs"), file] }),
      base.parse,
    );
  if (wanted("profile")) add("oddity profile", await best(oddity("profile", file)), base.count, 1.3);
  if (wanted("fit") || wanted("score"))
    add("oddity fit", await best(oddity("fit", file, "--output", model)), base.count);
  if (wanted("score")) add("oddity score", await best(oddity("score", file, "--model", model)), base.count);
  if (wanted("detect")) add("oddity detect", await best(oddity("detect", file)), base.count, 2);

  if (wanted("engine")) {
    // The DuckDB engine with two threads against the hand-written count. Its targets are wall time (fit
    // at most 0.75×, detect 1.2×), since the engine's threads spend CPU to save wall time; both ratios
    // are kept. Its model must be byte-identical to `oddity fit`'s when that ran.
    const engineModel = `${model}.duckdb`;
    const tasks = [
      ["fit", ["fit", file, "--engine", "duckdb", "--jobs", "2", "--output", engineModel], 0.75],
      ["detect", ["detect", file, "--engine", "duckdb", "--jobs", "2", "--format", "json"], 1.2],
    ];
    for (const [task, args, target] of tasks) {
      const result = await best({ ...oddity(...args), by: wall });
      const row = add(`oddity ${task} --engine duckdb`, result, base.count, `${target} wall`);
      row.wallRatio = Number((result.seconds / base.count.seconds).toFixed(2));
      let same = "";
      if (task === "fit" && (wanted("fit") || wanted("score"))) {
        row.identical = (await measure({ command: "cmp", args: [engineModel, model], cwd: root })).code === 0;
        same = `, model ${row.identical ? "identical" : "DIFFERENT"}`;
      }
      log(`    wall ${row.wallRatio}× baseline count (target ≤ ${target}×)${same}`);
    }
    rmSync(engineModel, { force: true });
  }

  // Opt-in, since it starts servers and loads the log into them: only when --only names it.
  const clickhouseKinds = [
    ["clickhouse", "parsed"],
    ["clickhouse-lines", "lines"],
  ]
    .filter(([task]) => only?.has(task))
    .map(([, kind]) => kind);
  if (clickhouseKinds.length > 0) {
    // The model the cluster's must equal: `oddity fit` of the same file, run here unless it ran above.
    if (!(wanted("fit") || wanted("score")))
      add("oddity fit", await best({ ...oddity("fit", file, "--output", model), times: 1 }), base.count);
    const found = await benchClickHouse({
      file,
      kinds: clickhouseKinds,
      reference: model,
      work,
      run: (args) => best({ ...oddity(...args), times: 1, by: wall }),
      log,
    });
    const mb = (n) => (n / 1e6).toFixed(1);
    const share = (n, of) => Number(((100 * n) / of).toFixed(2));
    for (const f of found) {
      if (f.error !== undefined) {
        clickhouse.push({ dataset, task: `oddity fit clickhouse ${f.kind}`, error: f.error });
        continue;
      }
      const row = add(
        `oddity fit clickhouse ${f.kind === "lines" ? "raw lines" : "columns"}`,
        f.result,
        base.count,
      );
      Object.assign(row, {
        wireBytes: f.wire,
        tableBytes: f.uncompressed,
        tableCompressedBytes: f.compressed,
        wirePercentOfTable: share(f.wire, f.uncompressed),
        wirePercentOfCompressed: share(f.wire, f.compressed),
        identical: f.identical,
      });
      clickhouse.push({ dataset, ...row });
      log(
        `    ${mb(f.wire)} MB back on the wire: ${row.wirePercentOfTable}% of the table's ${mb(f.uncompressed)} MB uncompressed, ${row.wirePercentOfCompressed}% of its ${mb(f.compressed)} MB compressed; model ${f.identical ? "identical" : "DIFFERENT"} but for sources`,
      );
    }
  }

  // The CLI starts one worker per 64 MiB of input at most (JOB_MIN_BYTES in apps/cli): below twice that,
  // `--jobs N` runs one job and there is nothing to compare.
  const jobMinBytes = 64 * 1024 * 1024;
  if (jobs > 1 && bytes < 2 * jobMinBytes) {
    log(`  --jobs ${jobs}: not compared; ${(bytes / 1e6).toFixed(0)} MB is one job's worth (64 MiB per job)`);
  } else if (jobs > 1) {
    parallelism.push(await calibrate());
    // The same commands with worker threads; output must be byte-identical to one job.
    const parallel = [
      ["profile", ["profile", file, "--format", "json"]],
      ["fit", ["fit", file, "--output", `${model}.jobs`]],
      ["score", ["score", file, "--model", model, "--format", "ndjson"]],
      ["detect", ["detect", file, "--format", "json"]],
    ];
    for (const [task, args] of parallel) {
      if (!wanted(task)) continue;
      // Threads are about wall time: both are kept by their fastest wall-clock run.
      const one = await best({ ...oddity(...args, "--jobs", "1"), by: wall });
      const many = await best({ ...oddity(...args, "--jobs", String(jobs)), by: wall });
      const same =
        task === "fit"
          ? (await measure({ command: "cmp", args: [`${model}.jobs`, model], cwd: root })).code === 0
          : one.stdoutHash === many.stdoutHash;
      checks.push({
        dataset,
        task,
        jobs,
        identical: same,
        speedup: Number((one.seconds / many.seconds).toFixed(2)),
      });
      add(`oddity ${task} --jobs 1`, one, base.count);
      const row = add(`oddity ${task} --jobs ${jobs}`, many, base.count);
      row.speedup = Number((one.seconds / many.seconds).toFixed(2));
      row.identical = same;
      log(
        `    --jobs ${jobs}: ${row.speedup}× faster than --jobs 1, output ${same ? "identical" : "DIFFERENT"}`,
      );
      rmSync(`${model}.jobs`, { force: true });
    }
  }

  if (wanted("stream")) {
    // Streaming score: RSS sampled over time must stay flat (no growth with lines read).
    const result = await best({
      ...oddity("score", file, "--model", model, "--format", "ndjson"),
      sampleEveryMs: 200,
      times: 1,
    });
    const row = add("oddity score --format ndjson", result, base.count);
    const samples = result.samples.map((s) => s.rss);
    if (samples.length >= 4) {
      const half = Math.floor(samples.length / 2);
      const firstHalf = Math.max(...samples.slice(0, half));
      const secondHalf = Math.max(...samples.slice(half));
      row.rssGrowth = Number(((secondHalf - firstHalf) / firstHalf).toFixed(3));
      log(
        `    RSS first half ${Math.round(firstHalf / 2 ** 20)} MB, second half ${Math.round(secondHalf / 2 ** 20)} MB`,
      );
    }
  }

  if (!flags["no-compare"] && wanted("compare")) {
    for (const tool of comparisons())
      add(tool.name, await best({ command: tool.command, args: tool.args(file) }), base.count);
  }
}

const parallelism = [];
const clickhouse = [];

/** The speedup N threads of fixed CPU work get on this machine now: the ceiling for --jobs N. */
async function calibrate() {
  const result = await measure({
    command: node,
    args: [path.join(root, "bench/lib/calibrate.mjs"), String(jobs)],
    cwd: root,
  });
  const { speedup } = JSON.parse(result.stdout);
  log(`  machine parallelism now: ${jobs} threads of fixed work run ${speedup}× faster than one`);
  return speedup;
}

async function startup() {
  // Node's own start, then oddity --help: the lazy imports keep the second close to the first.
  const bare = await best({ command: node, args: ["-e", "0"], times: 5 });
  const help = await best({ command: node, args: [cli, "--help"], times: 5 });
  return { nodeMs: Math.round(bare.seconds * 1000), helpMs: Math.round(help.seconds * 1000), targetMs: 150 };
}

function table() {
  const header = [
    "dataset",
    "task",
    "wall s",
    "cpu s",
    "lines/s",
    "MB/s",
    "peak RSS MB",
    "× baseline",
    "target",
  ];
  const body = rows.map((r) => [
    r.dataset,
    r.task,
    r.seconds.toFixed(2),
    r.cpuSeconds === null ? "" : r.cpuSeconds.toFixed(2),
    r.linesPerSecond.toLocaleString("en-US"),
    r.mbPerSecond.toFixed(1),
    String(r.peakRssMb ?? "?"),
    r.ratio === null ? "" : `${r.ratio.toFixed(2)} (${r.against.replace("baseline ", "")})`,
    r.target === null ? "" : `≤ ${r.target}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i >= 2 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`,
    ...body.map(line),
  ].join("\n");
}

const started = new Date();
log(
  `oddity bench: sizes ${sizes.join(", ")}, variants ${variants.join(", ")}, best of ${runs}, --jobs ${jobs}`,
);
for (const variant of variants) for (const lines of sizes) await benchDataset({ variant, lines });
const start = wanted("startup") ? await startup() : null;

const report = {
  date: started.toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  },
  generator: { version: GENERATOR_VERSION, seed: 42 },
  runs,
  rows,
  jobs: checks,
  parallelism,
  clickhouse,
  startup: start,
};
const out = flags.out ?? path.join(root, "bench/results/latest.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);

process.stdout.write(`\n${table()}\n`);
if (checks.length > 0) {
  process.stdout.write(
    `\n${checks.map((c) => `${c.dataset} ${c.task} --jobs ${c.jobs}: ${c.speedup}× --jobs 1, output ${c.identical ? "byte-identical" : "DIFFERENT"}`).join("\n")}\n`,
  );
}
if (parallelism.length > 0) {
  process.stdout.write(
    `machine parallelism during the --jobs runs: ${parallelism.join(", ")}× for ${jobs} threads of fixed work (the ceiling for --jobs ${jobs})\n`,
  );
}
if (clickhouse.length > 0) {
  process.stdout.write(
    `\n${clickhouse.map((c) => (c.error !== undefined ? `${c.dataset} ${c.task}: FAILED, ${c.error}` : `${c.dataset} ${c.task}: ${(c.wireBytes / 1e6).toFixed(1)} MB back on the wire, ${c.wirePercentOfTable}% of ${(c.tableBytes / 1e6).toFixed(0)} MB uncompressed (${c.wirePercentOfCompressed}% of ${(c.tableCompressedBytes / 1e6).toFixed(0)} MB compressed), ${c.seconds.toFixed(1)} s, model ${c.identical ? "identical" : "DIFFERENT"}`)).join("\n")}\n`,
  );
}
if (start !== null)
  process.stdout.write(
    `\nstartup: node -e 0 ${start.nodeMs} ms, oddity --help ${start.helpMs} ms (target < ${start.targetMs} ms)\n`,
  );
process.stdout.write(`\nwritten to ${path.relative(process.cwd(), out)}\n`);
if (
  checks.some((c) => !c.identical) ||
  clickhouse.some((c) => c.identical === false || c.error !== undefined)
)
  process.exitCode = 1;
