import { createHash } from "node:crypto";
import { makeRecords } from "@oddity/core/testing";
import { beforeAll, describe, expect, test } from "vitest";
import { expectedCharts, hostileReport, reportOf } from "./fixtures.js";
import { renderReport } from "./render.js";
import type { ReportData } from "./types.js";

describe("renderReport on a log full of script payloads", () => {
  let html = "";
  let data: ReportData;
  beforeAll(async () => {
    data = hostileReport();
    html = await renderReport(data);
  });

  test("contains exactly one script element, its own", () => {
    expect(html.match(/<script/gi)).toEqual(["<script"]);
  });

  test("shows each payload as escaped text", () => {
    expect(html).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(html).toContain("/&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;");
    expect(html).toContain("javascript:window.__pwned=3");
    expect(html).toContain("login=bob@&lt;SCRipt&gt;alert(Paros)&lt;/scrIPT&gt;.parosproxy.org");
    const tags = [...html.matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)];
    const elements = new Set(tags.map((t) => t[1]!.toLowerCase()));
    const attributes = new Set(
      tags.flatMap((t) => [...t[2]!.matchAll(/\s+([^\s=>]+)(?:="[^"]*")?/g)].map((a) => a[1]!.toLowerCase())),
    );
    expect(
      ["img", "iframe", "object", "embed", "foreignobject", "base", "link"].filter((e) => elements.has(e)),
    ).toEqual([]);
    expect([...attributes].filter((a) => a.startsWith("on") || a === "src")).toEqual([]);
  });

  test("links only inside the page", () => {
    const links = [...html.matchAll(/\s(?:xlink:)?href="([^"]*)"/g)].map((m) => m[1]!);
    expect(links.filter((href) => href.startsWith("#m")).length).toBeGreaterThan(0);
    expect(links.filter((href) => !/^#[a-z][a-z0-9-]*$/.test(href))).toEqual([]);
  });

  test("allows its own script by hash and nothing else in the Content-Security-Policy", () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const hash = createHash("sha256").update(script).digest("base64");
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    expect(csp).toBe(
      `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`,
    );
  });

  test("shows terminal and bidi escapes in a user agent as visible escapes", () => {
    expect(html).toContain("\\x1b[31mred\\x1b[0m \\u{202e}evil\\u{202c}");
    expect(html).not.toMatch(/[\u001b\u202e]/);
  });

  test("draws the timeline and a chart per summary (frequencies, heat maps, distributions), each as SVG", () => {
    const figures = [...html.matchAll(/<figure id="chart-\d+" data-chart="(\w+)">([\s\S]*?)<\/figure>/g)];
    expect(new Set(expectedCharts(data))).toEqual(
      new Set(["timeline", "frequency", "conditional", "distribution"]),
    );
    expect(figures.map((f) => f[1])).toEqual(expectedCharts(data));
    for (const [, , body] of figures) expect(body).toMatch(/^<h3>.*<svg[^>]*>[\s\S]*<\/svg>$/);
  });
});

describe("renderReport size", () => {
  test("stays small enough to mail on 20,000 requests where every client, agent and size is distinct", async () => {
    const records = makeRecords(
      Array.from({ length: 20_000 }, (_, i) => ({
        ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
        path: `/item/${i}`,
        user_agent: `agent-${i}`,
        size: 1000 + i,
        time: i * 1000,
        // 150 requests with a rare method, so the table is full too.
        method: i % 133 === 0 ? "DELETE" : "GET",
      })),
    );
    const { data } = reportOf({ records, top: 100 });
    const html = await renderReport(data);
    const bars = data.summaries.flatMap((s) => (s.kind === "frequencies" ? [s.values.length] : []));
    const cells = data.summaries.flatMap((s) => (s.kind === "conditional" ? [s.cells.length] : []));
    expect(Math.max(...bars)).toBe(40);
    expect(Math.max(...cells)).toBeLessThanOrEqual(30 * 20);
    expect(data.anomalies.length).toBe(100);
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
  });
});

describe("renderReport incidents", () => {
  test("links each record to its incident, counts the incident's records and shows the log's own time", async () => {
    const records = makeRecords([
      { times: 200 },
      { times: 2, method: "DELETE" },
      { times: 1, method: "PUT" },
    ]);
    const { data } = reportOf({ records });
    const rows = data.anomalies.map((a, i) => ({
      ...a,
      incident: i < 2 ? "aaaa11112222" : "bbbb33334444",
      timeText: i === 0 ? "16/Apr/2019:20:34:42 +0100<b>" : null,
    }));
    const html = await renderReport({ ...data, anomalies: rows });
    expect([
      rows.length,
      (html.match(/data-i="aaaa11112222"/g) ?? []).length,
      html.includes(
        '<a href="#i-aaaa11112222" title="show the records of this incident">incident aaaa11</a> (2)',
      ),
      html.includes(">16/Apr/2019:20:34:42 +0100&lt;b&gt;</td>"),
    ]).toEqual([3, 2, true, true]);
  });
});
