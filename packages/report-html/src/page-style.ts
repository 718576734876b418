import { COLORS } from "./charts/theme.js";

/** The page's stylesheet (inline: the report is one file and loads nothing). */
export const PAGE_STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --flag: ${COLORS.flagged}; --bar: ${COLORS.normal}; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f6f8fa; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 4px; }
.sub { color: var(--muted); margin: 0; }
nav { margin: 10px 0 0; display: flex; flex-wrap: wrap; gap: 4px 14px; }
nav a, a { color: #0969da; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 14px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card b { display: block; font-size: 20px; }
.card span { color: var(--muted); font-size: 12px; }
.card.flag b { color: var(--flag); }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.warnings { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 14px; }
.charts { display: flex; flex-direction: column; gap: 14px; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
figure svg { display: block; max-width: none; }
figure svg a { cursor: pointer; }
figcaption { color: var(--muted); font-size: 12px; margin-bottom: 6px; }
.legend-flag { color: var(--flag); font-weight: 600; }
.filters { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; margin: 8px 0; }
.filters label { display: flex; gap: 6px; align-items: center; }
.filters select, .filters input, .filters button { font: inherit; padding: 2px 6px; }
#filter-mark { color: var(--flag); }
#anomaly-table { table-layout: fixed; }
#anomaly-table td { overflow-wrap: anywhere; }
#anomaly-table td.time { font-size: 12px; font-variant-numeric: tabular-nums; }
#anomaly-table td.src { font-size: 12px; }
#anomaly-table td.src .ln { white-space: nowrap; }
#anomaly-table tr:target td { background: #fff8c5; }
.finding { margin: 0 0 6px; }
.finding:last-child { margin-bottom: 0; }
.det { display: inline-block; background: #ddf4ff; border-radius: 4px; padding: 0 5px; font-size: 12px; margin-right: 4px; }
.kind { display: inline-block; background: #ffebe9; color: #82071e; border-radius: 4px; padding: 0 5px; font-size: 12px; margin-right: 4px; }
.counts { color: var(--muted); font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 12px; padding: 24px 20px 30px; }
@media print { body { background: #fff; } .filters { display: none; } figure { break-inside: avoid; } }
`;
