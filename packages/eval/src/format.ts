import { formatCount } from "@oddity/core";
import type { EvaluationResult } from "./evaluate.js";
import type { Metrics } from "./metrics.js";
import { formatRatio, renderTable, safeText } from "./text.js";

function header(result: EvaluationResult): string[] {
  return [
    "",
    "flagged",
    "precision",
    "recall",
    "F1",
    "R-prec",
    ...result.overall.precisionAtK.map((p) => `P@${p.k}`),
    "ROC AUC",
  ];
}

function row(label: string, m: Metrics): string[] {
  return [
    label,
    formatCount(m.flagged),
    formatRatio(m.precision),
    formatRatio(m.recall),
    formatRatio(m.f1),
    formatRatio(m.rPrecision),
    ...m.precisionAtK.map((p) => formatRatio(p.precision)),
    formatRatio(m.rocAuc),
  ];
}

function describe(result: EvaluationResult): string {
  const fitted =
    result.mode === "hold-out"
      ? `fit on ${formatCount(result.baselineRecords)} clean records`
      : `fit on the scored log itself (${formatCount(result.baselineRecords)} records)`;
  return `${result.mode}${result.protect ? " + protection" : ""}: ${fitted}, scored ${formatCount(result.records)} records with ${formatCount(result.anomalies)} labelled anomalies`;
}

/**
 * One evaluation as text tables: overall and per-kind figures, each detector alone and the pipeline
 * without it, recall per kind and detector, what protection dropped, and the top false positives.
 */
export function formatEvaluation(result: EvaluationResult): string {
  const out: string[] = [describe(result), ""];
  out.push(
    renderTable([
      header(result),
      row("all kinds", result.overall),
      ...result.byKind.map((m) => row(`  ${m.kind}`, m)),
      ...result.byDetector.map((d) => row(`${d.detector} alone`, d.alone)),
      ...(result.byDetector.length > 1
        ? result.byDetector.map((d) => row(`without ${d.detector}`, d.without))
        : []),
    ]),
  );
  if (result.byKind.length > 0 && result.byDetector.length > 0) {
    out.push("", "  recall by kind and detector");
    out.push(
      renderTable([
        ["", ...result.byDetector.map((d) => d.detector), "pipeline"],
        ...result.byKind.map((m, i) => [
          m.kind,
          ...result.byDetector.map((d) => formatRatio(d.byKind[i]!.recall)),
          formatRatio(m.recall),
        ]),
      ]),
    );
  }
  const p = result.protection;
  if (p !== null) {
    const planted =
      p.anomaliesInBaseline > 0
        ? `, ${formatCount(p.droppedAnomalies)} of them among the ${formatCount(p.anomaliesInBaseline)} labelled anomalies`
        : "";
    out.push(
      "",
      `  protection dropped ${formatCount(p.dropped)} of ${formatCount(p.dropped + p.kept)} baseline records${planted}`,
    );
  }
  if (result.topFalsePositives.length > 0) {
    out.push("", "  highest-scoring normal records");
    result.topFalsePositives.forEach((fp, i) => {
      out.push(
        `  ${i + 1}. ${fp.score.toFixed(1)} bits  ${safeText(fp.source, 60)}:${fp.line}  ${safeText(fp.raw, 140)}`,
      );
      for (const message of fp.findings.slice(0, 3)) out.push(`       ${safeText(message, 140)}`);
    });
  }
  for (const warning of result.warnings) out.push(`  warning: ${safeText(warning, 200)}`);
  return out.join("\n");
}
