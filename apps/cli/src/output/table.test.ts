import { describe, expect, it } from "vitest";
import { displayWidth, fitWidths, renderTable, truncate, wrapText } from "./table.js";

describe("truncate", () => {
  it("cuts at the end with an ellipsis inside the width", () => {
    expect(truncate("python-requests/2.21.0", 10)).toBe("python-re…");
  });

  it("cuts at the start, keeping the end of a path", () => {
    expect(truncate("/var/log/nginx/access.log:42", 14, "start")).toBe("…access.log:42");
  });

  it("counts wide characters as two columns and never splits one", () => {
    const cut = truncate("中文中文中文", 6);
    expect([cut, displayWidth(cut)]).toEqual(["中文…", 5]);
  });
});

describe("wrapText", () => {
  it("breaks at spaces without exceeding the width", () => {
    expect(wrapText('ip "95.31.18.119" seen 1 time in 13,978 requests', 20)).toEqual([
      'ip "95.31.18.119"',
      "seen 1 time in",
      "13,978 requests",
    ]);
  });

  it("cuts a word longer than the width", () => {
    expect(wrapText("aaaaaaaaaa", 4)).toEqual(["aaaa", "aaaa", "aa"]);
  });
});

describe("fitWidths", () => {
  it("keeps natural widths when they fit", () => {
    expect(
      fitWidths({ columns: [{ header: "a" }, { header: "b" }], natural: [10, 20], width: 40, gap: 2 }),
    ).toEqual([10, 20]);
  });

  it("shrinks the most flexible column first and stops at its minimum", () => {
    const columns = [
      { header: "where", flex: 2, min: 10 },
      { header: "explanation", flex: 1, min: 20 },
      { header: "n" },
    ];
    expect(fitWidths({ columns, natural: [30, 60, 5], width: 60, gap: 2 })).toEqual([10, 41, 5]);
  });
});

describe("renderTable", () => {
  it("never draws a line wider than the terminal when columns can shrink", () => {
    const lines = renderTable({
      columns: [
        { header: "value", flex: true, min: 8 },
        { header: "count", align: "right" },
      ],
      rows: [["x".repeat(200), "12,005"]],
      width: 40,
    });
    expect(lines.map(displayWidth)).toEqual([40, 40]);
  });

  it("right-aligns numbers under their header", () => {
    expect(
      renderTable({
        columns: [{ header: "v" }, { header: "count", align: "right" }],
        rows: [["GET", "7"]],
        width: 80,
      }),
    ).toEqual(["v    count", "GET      7"]);
  });
});
