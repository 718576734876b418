/// <reference lib="dom" />
// End-to-end: reports opened in a real headless Chromium (Debian's package, driven by playwright-core).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedCharts, hostileReport, readCodeup, reportOf } from "./fixtures.js";
import { renderReport } from "./render.js";
import type { ReportData } from "./types.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const OUTPUT = path.resolve(import.meta.dirname, "../test-output");
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run .ci/services/chromium.sh (installs Debian's chromium)`,
    );
  }
  await mkdir(OUTPUT, { recursive: true });
  profile = await mkdtemp(path.join(tmpdir(), "oddity-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** What a page did while loading: every request, console error and uncaught exception. */
interface Visit {
  page: Page;
  url: string;
  requests: string[];
  errors: string[];
}

async function open(html: string, name: string): Promise<Visit> {
  const file = path.join(OUTPUT, `${name}.html`);
  await writeFile(file, html);
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(url, { waitUntil: "load" });
  // Give deferred payloads (onerror after a failed load, timers) the chance to run.
  await page.waitForTimeout(300);
  return { page, url, requests, errors };
}

const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

/** For each chart: its kind and how many drawn marks (bars, cells, points) its SVG holds. */
function chartMarks(
  page: Page,
): Promise<Array<{ kind: string; marks: number; width: number; height: number }>> {
  return page.$$eval("figure[data-chart]", (figures) =>
    figures.map((figure) => {
      const svg = figure.querySelector("svg");
      const box = svg?.getBoundingClientRect();
      const marks = svg
        ? svg.querySelectorAll(".role-mark path, .role-mark rect, .role-mark line, .role-mark circle").length
        : 0;
      return {
        kind: figure.getAttribute("data-chart") ?? "",
        marks,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
      };
    }),
  );
}

function visibleRows(page: Page): Promise<string[]> {
  return page.$$eval("#anomaly-table tbody tr", (rows) =>
    rows.filter((r) => !(r as HTMLElement).hidden).map((r) => r.id),
  );
}

describe("the checks themselves", () => {
  test("catch a payload that runs and the request it makes when markup is not escaped", async () => {
    const visit = await open(
      `<!doctype html><p>${'/"><img src=x onerror="window.__pwned=2">'}</p>`,
      "control-unescaped",
    );
    expect(await pwned(visit.page)).toBe(2);
    expect(visit.requests).toEqual([visit.url, new URL("x", visit.url).href]);
    await visit.page.close();
  });
});

describe("a report built from a log full of script payloads", () => {
  let visit: Visit;
  let data: ReportData;
  beforeAll(async () => {
    data = hostileReport();
    visit = await open(await renderReport(data), "hostile-report");
  });
  afterAll(async () => {
    await visit.page.screenshot({ path: path.join(OUTPUT, "hostile-report.png"), fullPage: true });
    await visit.page.close();
  });

  test("runs none of the injected scripts", async () => {
    expect(await pwned(visit.page)).toBeUndefined();
  });

  test("requests nothing but the file itself", () => {
    expect(visit.requests).toEqual([visit.url]);
  });

  test("logs no console error, not even a blocked script or style", () => {
    expect(visit.errors).toEqual([]);
  });

  test("shows the payloads as text in the table", async () => {
    const raw = await visit.page.$$eval("#anomaly-table td.raw pre", (cells) =>
      cells.map((c) => c.textContent ?? ""),
    );
    expect(raw.some((text) => text.includes("<script>window.__pwned=1</script>"))).toBe(true);
    expect(raw.some((text) => text.includes('/"><img src=x onerror="window.__pwned=2">'))).toBe(true);
    expect(raw.some((text) => text.includes('"javascript:window.__pwned=3"'))).toBe(true);
    expect(raw.some((text) => text.includes("login=bob@<SCRipt>alert(Paros)</scrIPT>.parosproxy.org"))).toBe(
      true,
    );
  });

  test("draws every chart with marks", async () => {
    const charts = await chartMarks(visit.page);
    expect(charts.map((c) => c.kind)).toEqual(expectedCharts(data));
    for (const chart of charts) {
      expect(chart.marks, chart.kind).toBeGreaterThan(0);
      expect(chart.width * chart.height, chart.kind).toBeGreaterThan(0);
    }
  });

  test("shows each mark's numbers as a tooltip, the payload in it as text", async () => {
    const tips = await visit.page.$$eval("figure[data-chart=frequency] svg .role-mark title", (titles) =>
      titles.map((t) => t.textContent ?? ""),
    );
    expect(tips).toContain(
      "<script>window.__pwned=1</script>: 2 of 1,211 requests (p=0.0017), flagged — click to list 2 anomalies",
    );
  });

  test("filters the anomaly table by detector, field and text, hiding the other rows", async () => {
    const { page } = visit;
    const all = await visibleRows(page);
    await page.fill("#filter-text", "window.__pwned=1");
    const matching = await visibleRows(page);
    const expected = await page.$$eval("#anomaly-table tbody tr", (rows) =>
      rows.filter((r) => (r.textContent ?? "").toLowerCase().includes("window.__pwned=1")).map((r) => r.id),
    );
    expect(matching).toEqual(expected);
    expect(matching.length).toBeLessThan(all.length);
    expect(await page.textContent("#filter-count")).toBe(`${matching.length} of ${all.length} shown`);
    await page.fill("#filter-text", "");
    const userAgent = await page.$eval(
      "#filter-field",
      (select) =>
        Array.from((select as HTMLSelectElement).options).find((o) => o.textContent === "user_agent")!.value,
    );
    await page.selectOption("#filter-field", userAgent);
    const byField = await visibleRows(page);
    const withUserAgent = await page.$$eval(
      "#anomaly-table tbody tr",
      (rows, value) =>
        rows.filter((r) => ` ${r.getAttribute("data-f")} `.includes(` ${value} `)).map((r) => r.id),
      userAgent,
    );
    expect(byField).toEqual(withUserAgent);
    expect(byField.length).toBeGreaterThan(0);
    expect(byField.length).toBeLessThan(all.length);
    const conditional = await page.$eval(
      "#filter-detector",
      (select) =>
        Array.from((select as HTMLSelectElement).options).find((o) => o.textContent === "conditional")!.value,
    );
    await page.selectOption("#filter-detector", conditional);
    const both = await page.$$eval(
      "#anomaly-table tbody tr",
      (rows, [d, f]) =>
        rows
          .filter(
            (r) =>
              ` ${r.getAttribute("data-d")} `.includes(` ${d} `) &&
              ` ${r.getAttribute("data-f")} `.includes(` ${f} `),
          )
          .map((r) => r.id),
      [conditional, userAgent],
    );
    expect(await visibleRows(page)).toEqual(both);
    expect(both.length).toBeGreaterThan(0);
    expect(both.length).toBeLessThan(byField.length);
    await page.click("#filter-clear");
    expect(await visibleRows(page)).toEqual(all);
  });

  test("lists a chart mark's anomalies when the mark is clicked, on every kind of chart", async () => {
    const { page } = visit;
    for (const kind of ["timeline", "frequency", "conditional", "distribution"]) {
      const link = page.locator(`figure[data-chart="${kind}"] svg a`).first();
      const href = await link.getAttribute("xlink:href");
      expect(href, kind).toMatch(/^#m[0-9]+$/);
      await link.click();
      await page.waitForFunction((h) => location.hash === h, href);
      const shown = await visibleRows(page);
      const expected = await page.$$eval(
        "#anomaly-table tbody tr",
        (rows, mark) =>
          rows.filter((r) => ` ${r.getAttribute("data-m")} `.includes(` ${mark} `)).map((r) => r.id),
        href!.slice(1),
      );
      expect(shown, kind).toEqual(expected);
      expect(shown.length, kind).toBeGreaterThan(0);
      expect(await page.isVisible("#filter-mark"), kind).toBe(true);
      await page.click("#filter-clear");
    }
  });
});

describe("a report on the Codeup API log", () => {
  test("draws every chart, loads nothing and logs no error", async () => {
    const { data } = reportOf({ records: await readCodeup() });
    const visit = await open(await renderReport(data), "codeup-report");
    const charts = await chartMarks(visit.page);
    expect(charts.map((c) => c.kind)).toEqual(expectedCharts(data));
    for (const chart of charts) expect(chart.marks, chart.kind).toBeGreaterThan(0);
    expect(visit.requests).toEqual([visit.url]);
    expect(visit.errors).toEqual([]);
    expect((await visibleRows(visit.page)).length).toBe(100);
    await visit.page.screenshot({ path: path.join(OUTPUT, "codeup-report.png"), fullPage: true });
    await visit.page.close();
  });
});
