import { describe, expect, test } from "vitest";
import { assertSafeSvg, localizeIds, renderSvg } from "./svg.js";

const HOSTILE = `<script>window.__pwned=1</script>`;

describe("renderSvg", () => {
  test("draws a hostile value as escaped text and an internal link", async () => {
    const svg = await renderSvg({
      data: {
        values: [{ v: HOSTILE, n: 3, href: "#m1", description: `/"><img src=x onerror="window.__pwned=2">` }],
      },
      mark: "bar",
      encoding: {
        y: { field: "v", type: "nominal" },
        x: { field: "n", type: "quantitative" },
        href: { field: "href" },
        description: { field: "description" },
      },
    });
    expect(svg).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(svg).toContain(`aria-label="/&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;"`);
    expect(svg).toContain(`<a xlink:href="#m1">`);
    expect(svg).not.toContain("<script");
    expect(svg).not.toContain("<img");
  });

  test("draws no link for a mark whose href is empty", async () => {
    const svg = await renderSvg({
      data: { values: [{ v: "a", n: 1, href: "" }] },
      mark: "bar",
      encoding: {
        y: { field: "v", type: "nominal" },
        x: { field: "n", type: "quantitative" },
        href: { field: "href" },
      },
    });
    expect(svg).not.toContain("<a ");
  });
});

describe("assertSafeSvg", () => {
  const wrap = (inner: string) => `<svg xmlns="http://www.w3.org/2000/svg"><g>${inner}</g></svg>`;

  test("accepts plain drawing elements with escaped text", () => {
    expect(() =>
      assertSafeSvg(
        wrap(`<text x="1">&lt;script&gt; onload=1</text><a xlink:href="#m2"><path d="M0,0"/></a>`),
      ),
    ).not.toThrow();
  });

  test.each([
    [wrap("<script>alert(1)</script>"), "unsafe SVG: element <script> is not allowed"],
    [
      wrap(`<foreignObject><div>x</div></foreignObject>`),
      "unsafe SVG: element <foreignobject> is not allowed",
    ],
    [wrap(`<path onload="alert(1)" d="M0,0"/>`), "unsafe SVG: attribute onload is not allowed"],
    [
      wrap(`<a xlink:href="javascript:alert(1)"><path d="M0,0"/></a>`),
      'unsafe SVG: link "javascript:alert(1)" does not stay inside the page',
    ],
    [
      wrap(`<a href="https://example.com/x"><path d="M0,0"/></a>`),
      'unsafe SVG: link "https://example.com/x" does not stay inside the page',
    ],
    [
      wrap(`<path style="background:url(https://example.com)" d="M0,0"/>`),
      "unsafe SVG: attribute style is not allowed",
    ],
    [wrap(`<text>a < b</text>`), "unsafe SVG: markup the checker cannot parse"],
    [wrap(`<path d='M0,0' onclick='x'/>`), "unsafe SVG: markup the checker cannot parse"],
  ])("refuses %s", (svg, message) => {
    expect(() => assertSafeSvg(svg)).toThrow(message);
  });
});

describe("localizeIds", () => {
  test("renames gradient and clip ids and their references in order of first use, leaving links alone", () => {
    const svg = `<svg><path fill="url(#gradient_7)"/><a xlink:href="#m1"><path clip-path="url(#clip12)"/></a><defs><linearGradient id="gradient_7"/><clipPath id="clip12"/></defs></svg>`;
    expect(localizeIds(svg, "chart-3")).toBe(
      `<svg><path fill="url(#chart-3-1)"/><a xlink:href="#m1"><path clip-path="url(#chart-3-2)"/></a><defs><linearGradient id="chart-3-1"/><clipPath id="chart-3-2"/></defs></svg>`,
    );
  });
});
