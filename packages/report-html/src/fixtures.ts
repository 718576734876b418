// Test fixtures only (not exported from the package): helpers that fit, score and collect a run the way
// the CLI does, hostile and real logs, and a small exact detector whose every number a test can predict.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { makeRecord, makeRecords } from "@oddity/core/testing";
import { fixture } from "@oddity/fixtures";
import conditional from "@oddity/detector-conditional";
import rarity from "@oddity/detector-rarity";
import size from "@oddity/detector-size";
import {
  createFitter,
  createPipeline,
  createScorer,
  defineDetector,
  emptyStats,
  fieldReader,
  readInputs,
  formatCount,
  formatProbability,
  quoteValue,
  surprisal,
  TopRecords,
  z,
  type AnyDetectorDefinition,
  type DistributionSummary,
  type Finding,
  type LogRecord,
  type Model,
  type Summary,
} from "@oddity/core";
import { buildReport } from "./build.js";
import { createReportCollector } from "./collector.js";
import type { ReportData } from "./types.js";

interface ExactState {
  total: number;
  fields: Map<string, Map<string, number>>;
  pairs: Map<string, Map<string, number>>;
  sizes: Map<string, number[]>;
  boxes?: Map<string, DistributionSummary["groups"][number]>;
}

const options = z.object({
  fields: z.array(z.string()).default(["user_agent", "path", "status"]),
  pair: z.object({ given: z.string(), target: z.string() }).default({ given: "ip", target: "status" }),
  threshold: z.number().default(0.001),
});

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Exact value counts per field, one conditional pair and size quartiles per path: enough to chart. */
export const exactDetector = defineDetector<z.output<typeof options>, ExactState>({
  meta: { name: "exact", description: "exact counts for report tests", apiVersion: 1, options },
  create(opts, context) {
    const readers = opts.fields.map((f) => [f, fieldReader(f)] as const);
    const readGiven = fieldReader(opts.pair.given);
    const readTarget = fieldReader(opts.pair.target);
    const readGroup = fieldReader("endpoint");
    const fences = (state: ExactState) => {
      const out = new Map<string, DistributionSummary["groups"][number]>();
      for (const [group, values] of state.sizes) {
        const sorted = [...values].sort((a, b) => a - b);
        const q1 = quantile(sorted, 0.25);
        const q3 = quantile(sorted, 0.75);
        out.set(group, {
          group,
          count: sorted.length,
          min: sorted[0]!,
          q1,
          median: quantile(sorted, 0.5),
          q3,
          max: sorted[sorted.length - 1]!,
          lowerFence: q1 - 1.5 * (q3 - q1),
          upperFence: q3 + 1.5 * (q3 - q1),
        });
      }
      return out;
    };
    return {
      init: (): ExactState => ({ total: 0, fields: new Map(), pairs: new Map(), sizes: new Map() }),
      observe(state, record) {
        state.total++;
        for (const [name, read] of readers) {
          let counts = state.fields.get(name);
          if (!counts) state.fields.set(name, (counts = new Map<string, number>()));
          bump(counts, read(record) ?? "-");
        }
        const given = readGiven(record) ?? "-";
        let inner = state.pairs.get(given);
        if (!inner) state.pairs.set(given, (inner = new Map<string, number>()));
        bump(inner, readTarget(record) ?? "-");
        if (record.size !== null) {
          const group = readGroup(record) ?? "-";
          const sizes = state.sizes.get(group) ?? [];
          sizes.push(record.size);
          state.sizes.set(group, sizes);
        }
      },
      merge: (a) => a,
      prepare(state) {
        state.boxes = fences(state);
      },
      score(state, record): Finding[] {
        const findings: Finding[] = [];
        for (const [name, read] of readers) {
          const value = read(record) ?? "-";
          const count = state.fields.get(name)?.get(value) ?? 0;
          const p = (count + 1) / (state.total + 1);
          if (p > opts.threshold) continue;
          findings.push({
            detector: context.id,
            kind: "rare",
            fields: [name],
            values: [value],
            probability: p,
            surprisal: surprisal(p),
            threshold: { name: "probability", direction: "below", value: opts.threshold },
            counts: { count, total: state.total },
            message: `${name} ${quoteValue(value)} seen ${formatCount(count)} times in ${formatCount(state.total)} requests (p=${formatProbability(p)})`,
          });
        }
        const given = readGiven(record) ?? "-";
        const target = readTarget(record) ?? "-";
        const inner = state.pairs.get(given);
        const givenCount = inner ? [...inner.values()].reduce((a, b) => a + b, 0) : 0;
        const pairCount = inner?.get(target) ?? 0;
        const pc = (pairCount + 1) / (givenCount + 2);
        if (givenCount >= 20 && pc <= 0.01) {
          findings.push({
            detector: context.id,
            kind: "conditional",
            fields: [opts.pair.given, opts.pair.target],
            values: [given, target],
            probability: pc,
            surprisal: surprisal(pc),
            threshold: { name: "probability", direction: "below", value: 0.01 },
            counts: { count: pairCount, given_count: givenCount },
            message: `${opts.pair.target} ${quoteValue(target)} given ${opts.pair.given} ${quoteValue(given)}: ${pairCount} of ${givenCount}`,
          });
        }
        const group = readGroup(record) ?? "-";
        const box = record.size === null ? undefined : state.boxes?.get(group);
        if (
          box &&
          box.count >= 20 &&
          box.upperFence !== null &&
          box.lowerFence !== null &&
          record.size !== null
        ) {
          if (record.size > box.upperFence || record.size < box.lowerFence) {
            const above = record.size > box.upperFence;
            findings.push({
              detector: context.id,
              kind: "size",
              fields: ["size", "endpoint"],
              values: [String(record.size), group],
              probability: 1 / (box.count + 1),
              surprisal: surprisal(1 / (box.count + 1)),
              threshold: {
                name: above ? "upper_fence" : "lower_fence",
                direction: above ? "above" : "below",
                value: above ? box.upperFence : box.lowerFence,
              },
              counts: { group_count: box.count },
              message: `size ${formatCount(record.size)} bytes for ${quoteValue(group)} (median ${formatCount(box.median)})`,
            });
          }
        }
        return findings;
      },
      toJSON: () => null,
      fromJSON: () => ({ total: 0, fields: new Map(), pairs: new Map(), sizes: new Map() }),
      summarize(state): Summary[] {
        const summaries: Summary[] = [];
        for (const [field, counts] of state.fields) {
          summaries.push({
            kind: "frequencies",
            detector: context.id,
            field,
            total: state.total,
            distinct: counts.size,
            values: [...counts].map(([value, count]) => {
              const p = count / state.total;
              return {
                value,
                count,
                probability: p,
                flagged: (count + 1) / (state.total + 1) <= opts.threshold,
              };
            }),
            threshold: opts.threshold,
          });
        }
        const cells: Extract<Summary, { kind: "conditional" }>["cells"] = [];
        for (const [given, inner] of state.pairs) {
          const givenCount = [...inner.values()].reduce((a, b) => a + b, 0);
          for (const [target, count] of inner) {
            const p = count / givenCount;
            cells.push({
              given,
              target,
              count,
              givenCount,
              probability: p,
              flagged: givenCount >= 20 && (count + 1) / (givenCount + 2) <= 0.01,
            });
          }
        }
        summaries.push({
          kind: "conditional",
          detector: context.id,
          given: opts.pair.given,
          target: opts.pair.target,
          cells,
          threshold: 0.01,
          minSupport: 20,
        });
        summaries.push({
          kind: "distribution",
          detector: context.id,
          field: "size",
          groupBy: "endpoint",
          groups: [...(state.boxes ?? fences(state)).values()],
        });
        return summaries;
      },
    };
  },
});

/** A pipeline entry as `createPipeline` takes it. */
type Entry = { use: string; id?: string; options?: unknown; definition: AnyDetectorDefinition };

/** The bundled detectors, as `oddity detect` runs them. */
// The options are pinned so that these fixtures test the report, whatever the detectors' defaults become:
// a 2% budget keeps the planted payload records flagged on these small, singleton-heavy logs, and no
// minimum count keeps values repeated 20 times or more (150 DELETEs) rare, as they were when written.
export const BUNDLED: Entry[] = [
  { use: "rarity", definition: rarity, options: { budget: 0.02, minCount: null } },
  { use: "conditional", definition: conditional },
  { use: "size", definition: size },
];

/** The local exact detector alone, for tests that need to know every number it reports. */
export const EXACT: Entry[] = [{ use: "exact", definition: exactDetector }];

/** Fits `detectors` on `records`, scores the same records and builds report data, as `oddity detect` does. */
export function reportOf({
  records,
  detectors = BUNDLED,
  top = 100,
  inputs = ["test.log"],
  now = new Date(Date.UTC(2024, 0, 1)),
}: {
  records: readonly LogRecord[];
  detectors?: Entry[];
  top?: number;
  inputs?: string[];
  now?: Date;
}): { data: ReportData; model: Model } {
  const fitter = createFitter(createPipeline({ detectors }));
  for (const record of records) fitter.observe(record);
  const model = fitter.finish();
  const score = createScorer(model);
  const collector = createReportCollector();
  const ranked = new TopRecords(top);
  for (const record of records) {
    const scored = score(record);
    collector.observe(record, scored);
    if (scored) ranked.add(scored);
  }
  const stats = { ...emptyStats(), read: records.length, parsed: records.length };
  const data = buildReport({
    model,
    stats,
    inputs,
    format: "combined",
    anomalies: ranked.ranked(),
    collector,
    warnings: [],
    generatedBy: "oddity test",
    now,
  });
  return { data, model };
}

/** The three payloads the issue names; a report that runs any of them sets `window.__pwned`. */
export const PAYLOADS = {
  userAgent: "<script>window.__pwned=1</script>",
  path: `/"><img src=x onerror="window.__pwned=2">`,
  referer: "javascript:window.__pwned=3",
} as const;

// CSIC 2010 percent-encodes Latin-1 (`%F3`), which decodeURIComponent rejects.
function decodeLatin1(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Real XSS request targets from the CSIC 2010 attack set, decoded the way a browser would send them. */
export function csicScriptPaths(limit: number): string[] {
  const text = gunzipSync(readFileSync(fixture("csic2010/anomalousTrafficTest.txt.gz"))).toString("latin1");
  const paths: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (paths.length >= limit) break;
    const m = /^(GET|POST|PUT) http:\/\/localhost:8080(\S+) HTTP\/1\.1$/.exec(line);
    if (m && /%3Cscript/i.test(m[2]!)) paths.push(decodeLatin1(m[2]!));
  }
  return paths;
}

/**
 * A small log whose rare requests carry script payloads in the user agent, path and referer (the
 * issue's three, plus real CSIC ones), terminal and bidi escapes, and prototype-named values, on top of
 * 1,200 ordinary requests over 20 minutes, so every chart has something hostile to draw.
 */
export function hostileRecords(): LogRecord[] {
  const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);
  const normal = makeRecords([
    { times: 750, path: "/api/items", user_agent: "python-requests/2.31.0", ip: "10.0.0.1", size: 3561 },
    { times: 150, path: "/api/sales", user_agent: "python-requests/2.31.0", ip: "10.0.0.2", size: 510_000 },
    {
      times: 300,
      path: "/",
      user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0",
      ip: "10.0.0.3",
      size: 42,
    },
  ]).map((r, i) => ({ ...r, time: t0 + i * 1000 }));
  const odd: Array<Partial<LogRecord>> = [
    {
      user_agent: PAYLOADS.userAgent,
      path: PAYLOADS.path,
      referer: PAYLOADS.referer,
      ip: "10.0.0.1",
      status: 500,
      size: 9_999_999,
    },
    { user_agent: PAYLOADS.userAgent, ip: "10.0.0.1", status: 500 },
    {
      path: PAYLOADS.path,
      referer: PAYLOADS.referer,
      ip: "10.0.0.2",
      status: 404,
      user_agent: "python-requests/2.31.0",
    },
    {
      user_agent: "\u001b[31mred\u001b[0m \u202eevil\u202c",
      path: "/__proto__",
      ip: "10.0.0.2",
      status: 403,
    },
    {
      user_agent: "constructor",
      path: "/constructor?x=<svg/onload=window.__pwned=4>",
      ip: "10.0.0.1",
      status: 500,
    },
    // Ordinary values in an odd combination or size, for the heat map and the grouped distribution.
    { ip: "10.0.0.3", path: "/", user_agent: "python-requests/2.31.0", size: 42 },
    { ip: "10.0.0.1", path: "/api/items", user_agent: "python-requests/2.31.0", size: 9_000_000 },
    ...csicScriptPaths(4).map((p) => ({
      path: p,
      user_agent: "Mozilla/5.0 (compatible; Konqueror/3.5; Linux) KHTML/3.5.8 (like Gecko)",
      ip: "10.0.0.3",
    })),
  ];
  const hostile = odd.map((fields, i) => makeRecord({ ...fields, time: t0 + (100 + i * 37) * 1000 }));
  return [...normal, ...hostile];
}

/** The Codeup API log plus the lesson's four synthetic requests (13,978 records), read by core. */
export async function readCodeup(): Promise<LogRecord[]> {
  const inputs = ["access.log", "lesson-synthetic.log"].map((name) => fixture(`codeup-api-access/${name}`));
  const records: LogRecord[] = [];
  for await (const batch of readInputs({ inputs })) records.push(...batch.records);
  return records;
}

/** Report data for {@link hostileRecords} from the bundled detectors with their defaults. */
export function hostileReport(): ReportData {
  return reportOf({ records: hostileRecords() }).data;
}

/** The charts a report should draw: the timeline, then one per summary in the page's section order. */
export function expectedCharts(data: ReportData): string[] {
  const kinds = data.summaries.map((s) => (s.kind === "frequencies" ? "frequency" : s.kind));
  const order = ["frequency", "conditional", "distribution"];
  return ["timeline", ...order.flatMap((kind) => kinds.filter((k) => k === kind))];
}
