import {
  formatCount,
  formatProbability,
  type ConditionalSummary,
  type DistributionSummary,
  type Finding,
  type FrequencySummary,
} from "@oddity/core";
import type { TopLevelSpec } from "vega-lite";
import { conditionalSpec } from "./charts/conditional.js";
import { distributionSpec } from "./charts/distribution.js";
import { frequencySpec } from "./charts/frequency.js";
import { describeBucket, timelineSpec } from "./charts/timeline.js";
import { escapeHtml, htmlText } from "./escape.js";
import {
  conditionalLinks,
  createMarkRegistry,
  distributionPoints,
  frequencyLinks,
  timelineLinks,
  type MarkRegistry,
} from "./links.js";
import { CONTENT_SECURITY_POLICY, PAGE_SCRIPT } from "./page-script.js";
import { PAGE_STYLE } from "./page-style.js";
import { renderSvg } from "./svg.js";
import type { ReportAnomaly, ReportData } from "./types.js";

/** A chart ready for the page: heading, caption and the spec to draw. */
interface ChartPlan {
  kind: "timeline" | "frequency" | "conditional" | "distribution";
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

const numberFormat = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 6 });
const formatNumber = (n: number) => (Number.isFinite(n) ? numberFormat.format(n) : String(n));
const bits = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "∞");
const isoTime = (ms: number | null) => (ms === null ? "—" : new Date(ms).toISOString().replace(".000Z", "Z"));
const text = (s: string) => htmlText(s, 2000);
const baseName = (source: string) =>
  source.slice(Math.max(source.lastIndexOf("/"), source.lastIndexOf("\\")) + 1) || source;

function omittedNote(data: ReportData, index: number): string {
  const cut = data.omitted.find((o) => o.summary === index);
  return cut ? ` ${formatCount(cut.count)} more ${cut.what} are not shown.` : "";
}

function planCharts(
  data: ReportData,
  marks: MarkRegistry,
): { section: string; id: string; charts: ChartPlan[] }[] {
  const { anomalies } = data;
  const timeline: ChartPlan[] = [];
  if (data.timeline && data.timeline.buckets.length > 0) {
    const t = data.timeline;
    const untimed =
      t.untimed.requests > 0
        ? ` ${formatCount(t.untimed.requests)} records had no time and are not drawn.`
        : "";
    timeline.push({
      kind: "timeline",
      title: `Requests per ${describeBucket(t.bucketMs)}`,
      caption: t.complete
        ? `From ${isoTime(t.from)} to ${isoTime(t.to)}. Red bars count flagged requests; click one to list its anomalies.${untimed}`
        : `Request counts are not part of saved results: this shows only the ${formatCount(anomalies.length)} anomalies listed below.${untimed}`,
      spec: timelineSpec({ timeline: t, links: timelineLinks(t, anomalies), marks, complete: t.complete }),
    });
  }
  const frequencies: ChartPlan[] = [];
  const conditionals: ChartPlan[] = [];
  const distributions: ChartPlan[] = [];
  data.summaries.forEach((summary, index) => {
    const by = `detector ${summary.detector}`;
    if (summary.kind === "frequencies") {
      const s: FrequencySummary = summary;
      const flagged = s.values.filter((v) => v.flagged).length;
      frequencies.push({
        kind: "frequency",
        title: `${s.field}`,
        caption: `${by}: ${formatCount(s.distinct)} distinct values in ${formatCount(s.total)} requests. Values at or below p=${formatProbability(s.threshold)} (dashed line) are flagged; ${formatCount(flagged)} shown in red.${omittedNote(data, index)}`,
        spec: frequencySpec({ summary: s, links: frequencyLinks(s, anomalies), marks }),
      });
    } else if (summary.kind === "conditional") {
      const s: ConditionalSummary = summary;
      conditionals.push({
        kind: "conditional",
        title: `${s.target} given ${s.given}`,
        caption: `${by}: P(${s.target} | ${s.given}) per cell, darker is rarer. Cells at or below p=${formatProbability(s.threshold)} with at least ${formatCount(s.minSupport)} requests for the given value are flagged (red outline).${omittedNote(data, index)}`,
        spec: conditionalSpec({ summary: s, links: conditionalLinks(s, anomalies), marks }),
      });
    } else {
      const s: DistributionSummary = summary;
      distributions.push({
        kind: "distribution",
        title: s.groupBy === null ? s.field : `${s.field} by ${s.groupBy}`,
        caption: `${by}: box from q1 to q3, black tick at the median, grey line from min to max, red dashed ticks at the fences; red points are flagged requests listed below.${omittedNote(data, index)}`,
        spec: distributionSpec({ summary: s, points: distributionPoints(s, anomalies), marks }),
      });
    }
  });
  return [
    { section: "Timeline", id: "timeline", charts: timeline },
    { section: "Field values", id: "frequencies", charts: frequencies },
    { section: "Field pairs", id: "conditionals", charts: conditionals },
    { section: "Distributions", id: "distributions", charts: distributions },
  ].filter((s) => s.charts.length > 0);
}

async function renderChart(plan: ChartPlan, index: number): Promise<string> {
  let body: string;
  try {
    body = await renderSvg(plan.spec, `chart-${index}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    body = `<p class="empty">This chart could not be drawn: ${escapeHtml(reason)}</p>`;
  }
  return `<figure id="chart-${index}" data-chart="${plan.kind}"><h3>${escapeHtml(plan.title)}</h3><figcaption>${escapeHtml(plan.caption)}</figcaption>${body}</figure>`;
}

function renderFacts(data: ReportData): string {
  const { run, baseline, scoring } = data;
  const range = (r: { from: string | null; to: string | null }) =>
    r.from === null ? "unknown" : `${escapeHtml(r.from)} to ${escapeHtml(r.to ?? r.from)}`;
  const inputs =
    run.inputs.length === 0 ? "—" : run.inputs.map((i) => `<code>${text(i)}</code>`).join("<br>");
  const facts: Array<[string, string]> = [
    ["Inputs", inputs],
    ["Format", run.format === null ? "—" : text(run.format)],
    ["Time range", range(run.timeRange)],
    [
      "Baseline",
      baseline === null
        ? "unknown"
        : `${formatCount(baseline.records)} records from ${baseline.sources.map((s) => `<code>${text(s)}</code>`).join(", ") || "—"}; ${range(baseline.timeRange)}`,
    ],
    [
      "Scoring",
      `findings combined by ${escapeHtml(scoring.combine)}; records under ${bits(scoring.minScore)} bits are not reported`,
    ],
    [
      "Generated",
      `${escapeHtml(data.generatedAt)}${data.generatedBy ? ` by ${text(data.generatedBy)}` : ""}`,
    ],
  ];
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

function renderCards(data: ReportData): string {
  const { stats, flagged } = data.run;
  const cards: Array<[string, number, string]> = [
    ["lines read", stats.read, ""],
    ["parsed", stats.parsed, ""],
    ["rejected", stats.rejected, ""],
    ["blank", stats.blank, ""],
    ["records flagged", flagged, "flag"],
    ["listed below", data.anomalies.length, ""],
  ];
  return `<div class="cards">${cards
    .map(
      ([label, n, cls]) =>
        `<div class="card${cls ? ` ${cls}` : ""}"><b>${formatCount(n)}</b><span>${label}</span></div>`,
    )
    .join("")}</div>`;
}

/** One `key: value` line per option, values as compact JSON. */
function describeOptions(options: unknown): string[] {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return [JSON.stringify(options ?? null) ?? "null"];
  }
  const lines = Object.entries(options).map(
    ([key, value]) => `${key}: ${JSON.stringify(value) ?? "undefined"}`,
  );
  return lines.length === 0 ? ["defaults"] : lines;
}

function renderDetectors(data: ReportData): string {
  if (data.detectors.length === 0) return `<p class="empty">The detectors are not known.</p>`;
  const rows = data.detectors
    .map(
      (d) =>
        `<tr><td><code>${text(d.id)}</code></td><td><code>${text(d.use)}</code></td><td>${text(d.description)}</td><td><pre>${describeOptions(d.options).map(text).join("\n")}</pre></td></tr>`,
    )
    .join("");
  return `<table id="detectors"><thead><tr><th>id</th><th>detector</th><th>what it does</th><th>options</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderWarnings(data: ReportData): string {
  if (data.run.warnings.length === 0) return "";
  return `<div class="warnings"><p><b>Warnings</b></p><ul>${data.run.warnings.map((w) => `<li>${text(w)}</li>`).join("")}</ul></div>`;
}

function renderFinding(f: Finding): string {
  const counts = Object.entries(f.counts)
    .map(([k, v]) => `${text(k)}=${typeof v === "number" ? formatNumber(v) : text(String(v))}`)
    .join(" · ");
  const bound = f.threshold.name.includes("probability")
    ? formatProbability(f.threshold.value)
    : formatNumber(f.threshold.value);
  const limit = `${text(f.threshold.name)} ${f.threshold.direction} ${bound}`;
  return `<div class="finding"><span class="det">${text(f.detector)}</span><span class="kind">${text(f.kind)}</span>${text(f.message)}<div class="counts">p=${formatProbability(f.probability)} · ${bits(f.surprisal)} bits · ${limit}${counts ? ` · ${counts}` : ""}</div></div>`;
}

function renderAnomalies(data: ReportData, marks: MarkRegistry): string {
  const detectorIds = [
    ...new Set([
      ...data.detectors.map((d) => d.id),
      ...data.anomalies.flatMap((a) => a.findings.map((f) => f.detector)),
    ]),
  ];
  const fields = [...new Set(data.anomalies.flatMap((a) => a.findings.flatMap((f) => f.fields)))].sort();
  const detectorIndex = new Map(detectorIds.map((id, i) => [id, i]));
  const fieldIndex = new Map(fields.map((f, i) => [f, i]));
  const options = (names: string[]) =>
    names.map((n, i) => `<option value="${i}">${text(n)}</option>`).join("");
  const filters = `<div class="filters">
<label>Detector <select id="filter-detector"><option value="">all</option>${options(detectorIds)}</select></label>
<label>Field <select id="filter-field"><option value="">all</option>${options(fields)}</select></label>
<label>Text <input id="filter-text" type="search" placeholder="search the table"></label>
<span id="filter-mark" hidden>Showing the anomalies of one chart mark.</span>
<span id="filter-incident" hidden>Showing the records of one incident.</span>
<button id="filter-clear" type="button">Show all</button>
<output id="filter-count">${formatCount(data.anomalies.length)} of ${formatCount(data.anomalies.length)} shown</output>
</div>`;
  if (data.anomalies.length === 0) return `${filters}<p class="empty">No anomalies were found.</p>`;
  const incidentSize = new Map<string, number>();
  for (const a of data.anomalies)
    if (a.incident) incidentSize.set(a.incident, (incidentSize.get(a.incident) ?? 0) + 1);
  // One client's requests with the same evidence: a link that filters the table to them.
  const incident = (a: ReportAnomaly) => {
    if (!a.incident) return "";
    const n = incidentSize.get(a.incident)!;
    return `<div class="counts"><a href="#i-${text(a.incident)}" title="show the records of this incident">incident ${text(a.incident.slice(0, 6))}</a>${n > 1 ? ` (${formatCount(n)})` : ""}</div>`;
  };
  // The time as the log wrote it, in its own offset, beside the raw line; UTC on hover.
  const time = (a: ReportAnomaly) =>
    a.timeText
      ? `<td class="time" title="${isoTime(a.time)}">${text(a.timeText)}</td>`
      : `<td class="time">${isoTime(a.time).replace("T", " ")}</td>`;
  const row = (a: ReportAnomaly) => {
    const d = [...new Set(a.findings.map((f) => detectorIndex.get(f.detector)!))].join(" ");
    const f = [...new Set(a.findings.flatMap((x) => x.fields.map((name) => fieldIndex.get(name)!)))].join(
      " ",
    );
    const m = marks.marksOf(a.rank).join(" ");
    const cut = a.rawCut > 0 ? ` <span class="counts">(${formatCount(a.rawCut)} more characters)</span>` : "";
    return `<tr id="a-${a.rank}" data-d="${d}" data-f="${f}" data-m="${m}" data-i="${text(a.incident ?? "")}"><td class="num"><a href="#a-${a.rank}">${a.rank}</a></td><td class="num">${bits(a.score)}</td>${time(a)}<td class="src" title="${text(a.source)}"><code>${text(baseName(a.source))}<span class="ln">:${a.line}</span></code>${incident(a)}</td><td>${a.findings.map(renderFinding).join("")}</td><td class="raw"><pre>${text(a.raw)}</pre>${cut}</td></tr>`;
  };
  return `${filters}<table id="anomaly-table"><colgroup><col style="width:44px"><col style="width:64px"><col style="width:150px"><col style="width:140px"><col><col style="width:36%"></colgroup><thead><tr><th class="num">#</th><th class="num">bits</th><th>time</th><th>line</th><th>findings</th><th>raw line</th></tr></thead><tbody>${data.anomalies.map(row).join("")}</tbody></table>`;
}

/**
 * Renders report data as one self-contained HTML page: charts are SVG drawn here (no chart code, fonts
 * or images are loaded), every log value is escaped, and a Content-Security-Policy allows only the
 * page's own filtering script.
 */
export async function renderReport(data: ReportData): Promise<string> {
  const marks = createMarkRegistry();
  const sections = planCharts(data, marks);
  let chartIndex = 0;
  const rendered: string[] = [];
  for (const section of sections) {
    const figures: string[] = [];
    for (const chart of section.charts) figures.push(await renderChart(chart, ++chartIndex));
    rendered.push(
      `<section id="${section.id}"><h2>${section.section}</h2><div class="charts">${figures.join("")}</div></section>`,
    );
  }
  const nav = [
    ["summary", "Summary"],
    ...sections.map((s) => [s.id, s.section]),
    ["anomalies", `Anomalies (${formatCount(data.anomalies.length)})`],
  ]
    .map(([id, label]) => `<a href="#${id}">${escapeHtml(label!)}</a>`)
    .join("");
  const title = text(data.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${data.generatedBy ? text(data.generatedBy) : "oddity"}">
<title>${title}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>${title}</h1><p class="sub">${formatCount(data.run.flagged)} of ${formatCount(data.run.stats.parsed)} requests flagged · ${escapeHtml(data.generatedAt)}</p><nav>${nav}</nav></header>
<main>
<section id="summary"><h2>Summary</h2>${renderCards(data)}${renderWarnings(data)}${renderFacts(data)}<h3 style="margin-top:14px">Detectors</h3>${renderDetectors(data)}</section>
${rendered.join("\n")}
<section id="anomalies"><h2>Anomalies</h2><p class="sub">Ranked by score: the surprisal of the findings in bits (−log2 p). Filter by detector, field or text; chart marks link here.</p>${renderAnomalies(data, marks)}</section>
</main>
<footer>Made by oddity: explainable anomalies in access logs. This file is self-contained and loads nothing.</footer>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
