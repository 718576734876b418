#!/usr/bin/env node
// Soak test for streaming `oddity score -`: tens of millions of lines through stdin, with RSS sampled as
// it goes. Scoring reads a fixed model, so its memory must not grow with the number of lines; the only
// things that grow with new values (the path-template cache, the parsers' key caches) are capped. The
// stream mixes baseline-like traffic with an endless supply of values never seen before (new client
// addresses, new paths, new user agents), which is what a long-running `tail -F | oddity score -` meets.
//
//   node bench/soak.mjs                         20M lines, RSS every 1M lines
//   node bench/soak.mjs --lines 50M --every 5M  longer
//   options: --lines N  --every N  --baseline N (lines to fit the model on, default 200k)
//            --novel F (share of lines carrying new values, default 0.05)  --json FILE (write the samples)
//
// Exits 1 when RSS at the end exceeds RSS after warm-up by more than 20% + 16 MiB: memory that grows
// with the lines read, which a stream of unbounded length cannot afford.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureLog } from "./lib/generate.mjs";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "apps/cli/dist/bin.js");

const { values: flags } = parseArgs({
  options: {
    lines: { type: "string", default: "20M" },
    every: { type: "string", default: "1M" },
    baseline: { type: "string", default: "200k" },
    novel: { type: "string", default: "0.05" },
    json: { type: "string" },
  },
  allowPositionals: false,
});

function count(text, flag) {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (match === null) throw new Error(`--${flag}: cannot read ${JSON.stringify(text)} (e.g. 200k, 20M)`);
  return Math.round(Number(match[1]) * { "": 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match[2]]);
}

const total = count(flags.lines, "lines");
const every = count(flags.every, "every");
const novel = Number(flags.novel);
const log = (message) => process.stderr.write(`${message}\n`);

if (!existsSync(cli)) {
  log(`${path.relative(process.cwd(), cli)} is missing: run "pnpm build" first`);
  process.exit(2);
}

const work = mkdtempSync(path.join(os.tmpdir(), "oddity-soak-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

// 1. A model fitted on generated normal traffic (the benchmark suite's generator, cached in bench/.data).
const baseline = ensureLog({
  dir: path.join(root, "bench/.data"),
  lines: count(flags.baseline, "baseline"),
  variant: "normal",
  log,
});
const model = path.join(work, "model.json");
const fit = spawnSync(process.execPath, [cli, "fit", baseline.file, "--output", model, "-q"], {
  encoding: "utf8",
});
if (fit.status !== 0) {
  log(`fit failed:\n${fit.stderr}`);
  process.exit(2);
}

// 2. The endless input: baseline lines in turn, a share of them rewritten to carry values never seen.
const lines = readFileSync(baseline.file, "utf8").split("\n").filter(Boolean);
function lineAt(n) {
  const line = lines[n % lines.length];
  // Deterministic: every 1/novel-th line gets a fresh address, path and agent made from its number.
  if (novel <= 0 || n % Math.round(1 / novel) !== 0) return line;
  const ip = `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  const rest = line.slice(line.indexOf(" "));
  return `${ip}${rest}`
    .replace(/"(GET|POST|PUT|DELETE|HEAD|OPTIONS|PROPFIND) \S+/, `"$1 /soak/${n.toString(36)}/item?id=${n}`)
    .replace(/"[^"]*"$/, `"soak-agent/${n}"`);
}

function rssOf(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

const mb = (bytes) => (bytes === null ? "?" : (bytes / 1048576).toFixed(1));

// 3. `oddity score -` reading it from a pipe, RSS read from /proc every `every` lines.
const child = spawn(process.execPath, [cli, "score", "-", "--model", model, "--format", "ndjson", "-q"], {
  stdio: ["pipe", "pipe", "pipe"],
});
let anomalies = 0;
child.stdout.on("data", (chunk) => {
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) anomalies++;
});
let stderr = "";
child.stderr.setEncoding("utf8").on("data", (text) => (stderr += text));
const exited = new Promise((resolve) => child.on("close", resolve));

const samples = [];
const started = performance.now();
log(
  `scoring ${total.toLocaleString("en-US")} lines from stdin (${Math.round(novel * 100)}% with new values)`,
);
log("      lines   seconds   lines/s   RSS MiB   anomalies");

function sample(sent) {
  const seconds = (performance.now() - started) / 1000;
  const rss = rssOf(child.pid);
  samples.push({ lines: sent, seconds, rss, anomalies });
  log(
    `${sent.toLocaleString("en-US").padStart(11)} ${seconds.toFixed(1).padStart(9)} ${Math.round(
      sent / seconds,
    )
      .toLocaleString("en-US")
      .padStart(9)} ${mb(rss).padStart(9)} ${anomalies.toLocaleString("en-US").padStart(11)}`,
  );
}

const BATCH = 4096;
let sent = 0;
let nextSample = every;
while (sent < total) {
  const size = Math.min(BATCH, total - sent);
  const parts = new Array(size);
  for (let i = 0; i < size; i++) parts[i] = lineAt(sent + i);
  sent += size;
  // Backpressure: wait while the pipe is full, so RSS is sampled while the child works, not queued.
  if (!child.stdin.write(`${parts.join("\n")}\n`))
    await new Promise((resolve) => child.stdin.once("drain", resolve));
  if (sent >= nextSample) {
    sample(sent);
    nextSample += every;
  }
}
child.stdin.end();
const code = await exited;
if (code !== 0) {
  log(`oddity score exited with ${code}:\n${stderr}`);
  process.exit(2);
}

// 4. The verdict: RSS once warmed up (the sample at 10% of the run) against the last quarter's peak.
const measured = samples.filter((s) => s.rss !== null);
if (measured.length < 4) {
  log("too few RSS samples (is /proc available?) to judge; lower --every");
  process.exit(2);
}
const warm = measured[Math.floor(measured.length / 10)];
const end = Math.max(...measured.slice(Math.floor((measured.length * 3) / 4)).map((s) => s.rss));
const limit = warm.rss * 1.2 + 16 * 1048576;
const flat = end <= limit;
const seconds = (performance.now() - started) / 1000;
log(
  `\n${total.toLocaleString("en-US")} lines in ${seconds.toFixed(1)} s (${Math.round(total / seconds).toLocaleString("en-US")} lines/s), ${anomalies.toLocaleString("en-US")} anomalies`,
);
log(
  `RSS after warm-up ${mb(warm.rss)} MiB at ${warm.lines.toLocaleString("en-US")} lines; last-quarter peak ${mb(end)} MiB (limit ${mb(limit)} MiB): ${flat ? "flat" : "GROWING"}`,
);
if (flags.json !== undefined) {
  writeFileSync(
    flags.json,
    `${JSON.stringify({ lines: total, novel, seconds, anomalies, warm, end, limit, flat, samples }, null, 2)}\n`,
  );
}
process.exit(flat ? 0 : 1);
