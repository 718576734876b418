import { createHash } from "node:crypto";

/**
 * The page's only script: filters the anomaly table (detector, field, text, chart mark) and shows mark
 * descriptions as tooltips. It is a constant, never built from data, so the Content-Security-Policy can
 * allow exactly it by hash and nothing else. It reads only `data-*` attributes the report writes.
 */
export const PAGE_SCRIPT = `"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const rows = Array.from(document.querySelectorAll("#anomaly-table tbody tr"));
  const detector = $("filter-detector");
  const field = $("filter-field");
  const text = $("filter-text");
  const markNote = $("filter-mark");
  const incidentNote = $("filter-incident");
  const count = $("filter-count");
  let mark = "";
  let incident = "";
  const has = (row, key, value) => (" " + (row.getAttribute(key) || "") + " ").includes(" " + value + " ");
  const apply = () => {
    const d = detector ? detector.value : "";
    const f = field ? field.value : "";
    const q = text ? text.value.trim().toLowerCase() : "";
    let shown = 0;
    for (const row of rows) {
      const ok =
        (!d || has(row, "data-d", d)) &&
        (!f || has(row, "data-f", f)) &&
        (!mark || has(row, "data-m", mark)) &&
        (!incident || row.getAttribute("data-i") === incident) &&
        (!q || row.textContent.toLowerCase().includes(q));
      row.hidden = !ok;
      if (ok) shown++;
    }
    if (count) count.textContent = shown + " of " + rows.length + " shown";
    if (markNote) markNote.hidden = !mark;
    if (incidentNote) incidentNote.hidden = !incident;
  };
  const clear = () => {
    mark = "";
    incident = "";
    if (detector) detector.value = "";
    if (field) field.value = "";
    if (text) text.value = "";
  };
  const fromHash = () => {
    const id = location.hash.slice(1);
    if (/^i-[0-9a-f]+$/.test(id)) {
      incident = id.slice(2);
      mark = "";
      apply();
      const table = $("anomalies");
      if (table) table.scrollIntoView();
    } else if (/^m[0-9]+$/.test(id)) {
      mark = id;
      incident = "";
      apply();
      const table = $("anomalies");
      if (table) table.scrollIntoView();
    } else if (/^a-[0-9]+$/.test(id)) {
      const row = $(id);
      if (row && row.hidden) {
        clear();
        apply();
      }
      if (row) row.scrollIntoView({ block: "center" });
    }
  };
  for (const control of [detector, field]) if (control) control.addEventListener("change", apply);
  if (text) text.addEventListener("input", apply);
  const reset = $("filter-clear");
  if (reset)
    reset.addEventListener("click", () => {
      clear();
      apply();
      history.replaceState(null, "", location.pathname + location.search);
    });
  window.addEventListener("hashchange", fromHash);
  for (const el of document.querySelectorAll("figure svg [aria-label][role=graphics-symbol]")) {
    if (el.closest(".role-axis, .role-legend")) continue;
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = el.getAttribute("aria-label");
    el.appendChild(title);
  }
  apply();
  fromHash();
})();
`;

/** The CSP source expression allowing {@link PAGE_SCRIPT}. */
export const PAGE_SCRIPT_HASH = `sha256-${createHash("sha256").update(PAGE_SCRIPT, "utf8").digest("base64")}`;

/** The page's Content-Security-Policy: nothing loads, nothing runs but the script above. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "img-src data:",
  "style-src 'unsafe-inline'",
  `script-src '${PAGE_SCRIPT_HASH}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
