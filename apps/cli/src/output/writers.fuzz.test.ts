import { compareScored, type Finding, type LogRecord, type ScoredRecord } from "@oddity/core";
import { makeRecord } from "@oddity/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anomalyCsv, anomalyNdjson, anomalyToJSON, incidentTable } from "./anomalies.js";
import { GROUP_MODES, groupIncidents, recordIncidentId } from "./incidents.js";
import { createPalette } from "./color.js";
import { escapeTerminal } from "./escape.js";
import { profileCsv, profileJSON, profileTableText, type ProfileTable } from "./profile.js";
import { recordJSON } from "./record-json.js";
import { recordCsv, recordsTable } from "./records.js";

// Whatever bytes a log held, every writer's output must stay what it claims to be: a terminal table
// without live control sequences, one valid JSON document per line, CSV that parses back to the same
// cells with formulas neutralised.

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const OUR_COLOURS = /\u001b\[\d+m/g;
const FORMULA = /^[=+\-@\t\r]/;
// What JSON output must not hold raw: line ends other than the final LF, controls, format characters,
// line separators, lone surrogates. JSON writes them all as \u escapes.
const INERT_JSON = /[\r\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

const hostileText = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 6 }),
      fc.constantFrom(
        "\u001b[31m",
        "\u001b]0;pwned\u0007",
        "\u009b2J",
        "\r",
        "\n",
        "\r\n",
        "\t",
        "\0",
        "\u202e",
        "\u200b",
        "\u{E0001}",
        "\u007f",
        "\u2028",
        "\ud800",
        "\udfff",
        "😀",
        "漢",
        '"',
        ",",
        '=HYPERLINK("http://evil")',
        "+1",
        "-2",
        "@SUM(A1)",
        "__proto__",
        "<script>",
      ),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

const hostileRecord = fc
  .record({
    source: hostileText,
    raw: hostileText,
    ip: hostileText,
    path: hostileText,
    user_agent: hostileText,
    referer: hostileText,
    time_text: hostileText,
    extraKey: fc.constantFrom("__proto__", "vhost", "constructor"),
    extraValue: hostileText,
  })
  .map(({ extraKey, extraValue, ...fields }): LogRecord => {
    const record = makeRecord({ ...fields, line: 7 });
    record.extra = Object.create(null) as Record<string, string>;
    record.extra[extraKey] = extraValue;
    return record;
  });

const hostileScored = fc
  .tuple(
    hostileRecord,
    fc.array(fc.tuple(hostileText, hostileText, hostileText), { minLength: 1, maxLength: 3 }),
  )
  .map(([record, parts]): ScoredRecord => {
    const findings = parts.map(([detector, value, message]): Finding => ({
      detector,
      kind: "rare",
      fields: ["user_agent"],
      values: [value],
      probability: 0.001,
      surprisal: Math.log2(1000),
      threshold: { name: "probability", direction: "below", value: 0.01 },
      counts: { count: 1, total: 1000 },
      message,
    }));
    return { record, score: findings.length * Math.log2(1000), findings };
  });

/** An RFC 4180 reader: quoted cells with doubled quotes, records ended by CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1) throw new Error("unterminated quote");
        cell += text.slice(i, quote);
        i = quote + 1;
        if (text[i] !== '"') break;
        cell += '"';
        i++;
      }
    } else {
      while (i < text.length && text[i] !== "," && !text.startsWith("\r\n", i)) {
        if (text[i] === '"' || text[i] === "\n" || text[i] === "\r")
          throw new Error(`bare ${text[i]} in a cell`);
        cell += text[i++];
      }
    }
    row.push(cell);
    if (text[i] === ",") i++;
    else if (text.startsWith("\r\n", i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${text[i]} after a cell`);
  }
  return rows;
}

/** The cell a spreadsheet must see for a log value: formulas start with `'`. */
function neutral(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  return FORMULA.test(value) && value !== "-" && value !== "+" ? `'${value}` : value;
}

function expectTerminalSafe(text: string): void {
  expect(UNSAFE.test(text.replaceAll("\n", "").replace(OUR_COLOURS, ""))).toBe(false);
}

const RUNS = { seed: 42, numRuns: 300 };

describe("terminal output of hostile log values", () => {
  it("escapes every control, format and separator character, and leaves other text alone", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const escaped = escapeTerminal(text);
        expect(UNSAFE.test(escaped)).toBe(false);
        if (!UNSAFE.test(text)) expect(escaped).toBe(text);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it("prints incident tables with no live control sequence, coloured or not", () => {
    fc.assert(
      fc.property(
        fc.array(hostileScored, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (anomalies, colour) => {
          const ranked = [...anomalies].sort(compareScored);
          for (const group of GROUP_MODES) {
            const incidents = groupIncidents({ ranked, group, limit: 20 });
            expectTerminalSafe(incidentTable({ incidents, width: 100, palette: createPalette(colour) }));
          }
        },
      ),
      RUNS,
    );
  });

  it("prints record and profile tables with no live control sequence", () => {
    fc.assert(
      fc.property(fc.array(hostileRecord, { minLength: 1, maxLength: 3 }), hostileText, (records, given) => {
        const palette = createPalette(true);
        expectTerminalSafe(recordsTable({ records, width: 100, palette }));
        const tables: ProfileTable[] = [
          {
            key: "user_agent|ip",
            rows: records.map((r) => ({ value: r.user_agent!, given, count: 1, probability: 0.5 })),
            omitted: 0,
            distinct: records.length,
            conditional: true,
          },
        ];
        expectTerminalSafe(profileTableText({ total: records.length, tables, width: 100, palette }));
      }),
      RUNS,
    );
  });
});

describe("machine-readable output of hostile log values", () => {
  it("writes each anomaly as one line of valid, well-formed JSON that reads back to the same values", () => {
    fc.assert(
      fc.property(hostileScored, (scored) => {
        const line = anomalyNdjson(scored);
        expect([line.indexOf("\n"), INERT_JSON.test(line)]).toEqual([line.length - 1, false]);
        expect(JSON.parse(line)).toEqual(anomalyToJSON(scored));
        expect(JSON.parse(JSON.stringify(recordJSON(scored.record)))).toEqual(recordJSON(scored.record));
      }),
      RUNS,
    );
  });

  it("writes CSV that parses back as RFC 4180 to the same cells, formulas neutralised", () => {
    fc.assert(
      fc.property(hostileScored, (scored) => {
        const { record, findings } = scored;
        expect(parseCsv(anomalyCsv(scored))).toEqual([
          [
            String(Number(scored.score.toFixed(3))),
            neutral(record.source),
            "7",
            recordIncidentId(scored),
            neutral([...new Set(findings.map((f) => f.detector))].join(" ")),
            neutral(findings.map((f) => f.message).join(" | ")),
            neutral(record.raw),
          ],
        ]);
        const fields = [
          record.source,
          7,
          record.time_text,
          record.ip,
          record.ident,
          record.user,
          record.method,
        ];
        const rest = [
          record.path,
          record.http_version,
          record.status,
          record.size,
          record.referer,
          record.user_agent,
        ];
        expect(parseCsv(recordCsv(record))).toEqual([[...fields, ...rest, record.raw].map(neutral)]);
      }),
      RUNS,
    );
  });

  it("writes profiles as valid JSON and CSV whatever the values, __proto__ included", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileText, hostileText), { minLength: 1, maxLength: 4 }), (pairs) => {
        const tables: ProfileTable[] = [
          {
            key: "__proto__",
            rows: pairs.map(([value]) => ({ value, count: 2, probability: 0.25 })),
            omitted: 0,
            distinct: pairs.length,
            conditional: false,
          },
        ];
        const text = profileJSON({ total: 8, tables });
        expect(INERT_JSON.test(text)).toBe(false);
        const json = JSON.parse(text) as { fields: Record<string, unknown> };
        expect(Object.hasOwn(json.fields, "__proto__")).toBe(true);
        expect(json.fields.__proto__).toEqual(
          pairs.map(([value]) => ({ value, count: 2, probability: 0.25 })),
        );
        expect(parseCsv(profileCsv(tables))).toEqual([
          ["field", "given", "value", "count", "probability"],
          ...pairs.map(([value]) => ["__proto__", "", neutral(value), "2", "0.25"]),
        ]);
      }),
      RUNS,
    );
  });
});
