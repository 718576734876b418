import { ConfigError, NO_FINDINGS, surprisal, type LogRecord } from "@oddity/core";
import { fitDetector, fitDetectorOnShards, makeRecord, makeRecords, roundTrip } from "@oddity/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { params } from "./index.js";

/** Records for these paths, from 20 clients in turn (one client's requests are judged apart). */
function fromClients(list: readonly string[]): LogRecord[] {
  return list.map((path, i) => makeRecord({ path, ip: `10.0.${i % 20}.1` }));
}

/** `times` requests for each path, from 20 clients in turn. */
function paths(table: Record<string, number>): LogRecord[] {
  return fromClients(Object.entries(table).flatMap(([path, times]) => Array<string>(times).fill(path)));
}

/** 200 requests paging through /api/v1/sales with page=1..200 (1–3 digits), from 20 clients. */
const SALES = fromClients(Array.from({ length: 200 }, (_, i) => `/api/v1/sales?page=${i + 1}`));

function score(records: LogRecord[], path: string, options: unknown = {}) {
  return fitDetector({ detector: params, options, records }).score(makeRecord({ path }));
}

describe("params: character classes", () => {
  it("flags a value with classes no baseline value of the parameter had, with the counts and p = Π (k + 1) / (n + 2)", () => {
    const [finding, ...rest] = score(SALES, "/api/v1/sales?page=2'+OR+'1'='1");
    const q = 1 / 202;
    expect(rest).toEqual([]);
    expect(finding).toEqual({
      detector: "params",
      kind: "characters",
      fields: ["path"],
      values: ["/api/v1/sales?page=2'+OR+'1'='1"],
      subject: 'parameter "page" of "/api/v1/sales"',
      probability: q ** 4,
      surprisal: surprisal(q ** 4),
      threshold: { name: "probability", direction: "below", value: 0.01 },
      counts: { values: 200, length: 12, with_letters: 0, with_spaces: 0, with_quotes: 0, with_equals: 0 },
      message: `parameter "page" of "/api/v1/sales": all 200 baseline values were 1–3 characters of digits; this one has 12 characters with letters, spaces, quotes and equals signs or ampersands (in 0, 0, 0 and 0 of 200 baseline values; p < 0.0001): "2' OR '1'='1"`,
    });
  });

  it("leaves alone a free-text parameter whose values already used the value's classes", () => {
    const records = fromClients(
      Array.from({ length: 200 }, (_, i) => `/search?q=${i % 2 ? `red+shoes+${i}` : `O%27Brien+(new)+${i}`}`),
    );
    expect(score(records, "/search?q=blue+(O'Hara)")).toEqual([]);
  });

  it("decodes Latin-1 escapes before classifying, so %F1 is a non-ASCII letter, not a percent sign", () => {
    const records = paths({ "/cart?b=A%F1adir": 150 });
    const [finding] = score(records, "/cart?b=%25F1");
    expect(finding?.kind).toBe("characters");
    expect(finding?.message).toContain("with digits and percent signs");
  });
});

describe("params: a tool's own requests in the baseline", () => {
  // Fitted on the log being scored: 150 payloads from one address sit in the baseline beside 200 pages.
  const payload = "/api/v1/sales?page=2%27+OR+%271%27%3D%271";
  const tool = Array.from({ length: 150 }, () => makeRecord({ path: payload, ip: "203.0.113.7" }));

  it("leaves out the clients that sent most of a class when only a few did, and says who they were", () => {
    const [finding] = score([...SALES, ...tool], payload);
    const q = 1 / 202;
    expect([finding?.kind, finding?.probability, finding?.counts]).toEqual([
      "characters",
      q ** 4,
      {
        values: 350,
        length: 12,
        with_letters: 150,
        with_letters_top_client: 150,
        with_spaces: 150,
        with_spaces_top_client: 150,
        with_quotes: 150,
        with_quotes_top_client: 150,
        with_equals: 150,
        with_equals_top_client: 150,
      },
    ]);
    expect(finding?.message).toBe(
      `parameter "page" of "/api/v1/sales": 99% of the 350 baseline values were 1–12 characters of digits; this one has 12 characters with letters, spaces, quotes and equals signs or ampersands (in 150 (150 from "203.0.113.7"), 150 (150 from "203.0.113.7"), 150 (150 from "203.0.113.7") and 150 (150 from "203.0.113.7") of 350 baseline values; p < 0.0001): "2' OR '1'='1"`,
    );
  });

  it("leaves out up to three such clients, as several tools may attack one parameter at once", () => {
    const tools = Array.from({ length: 150 }, (_, i) =>
      makeRecord({ path: payload, ip: `198.51.100.${i % 3}` }),
    );
    const [finding] = score([...SALES, ...tools], payload);
    expect([finding?.probability, finding?.message.match(/\(in 150 \((.*?)\)/)?.[1]]).toEqual([
      (1 / 202) ** 4,
      '150 from "198.51.100.0" and 2 other clients',
    ]);
  });

  it("takes a class that more than 8 clients used as ordinary, however rare among the values", () => {
    const pages = fromClients(Array.from({ length: 2000 }, (_, i) => `/api/v1/sales?page=${(i % 200) + 1}`));
    const quoted = (clients: number) =>
      Array.from({ length: clients }, (_, i) => makeRecord({ path: payload, ip: `198.51.100.${i}` }));
    // 9 of 2,009 values: (9 + 1) / (2,009 + 2) ≈ 0.005 would be rare, but 9 clients used the class.
    expect(score([...pages, ...quoted(9)], payload)).toEqual([]);
    // 8 clients: the 3 that sent most are left out, (5 + 1) / (2,005 + 2) ≈ 0.003 per class.
    expect(score([...pages, ...quoted(8)], payload).map((f) => f.kind)).toEqual(["characters"]);
  });

  it("judges a class on all values when the log has no client addresses", () => {
    const anonymous = [...SALES, ...tool].map((r) => ({ ...r, ip: null }));
    expect(score(anonymous, payload)).toEqual([]);
  });

  it("judges a name only one client sent as new, against the other clients' requests", () => {
    const debug = Array.from({ length: 30 }, (_, i) =>
      makeRecord({ path: `/api/v1/sales?page=${i}&debug=1`, ip: "203.0.113.7" }),
    );
    const [finding] = score([...SALES, ...debug], "/api/v1/sales?page=3&debug=1");
    expect([finding?.kind, finding?.probability, finding?.message]).toEqual([
      "unseen_parameter",
      1 / 202,
      `parameter "debug" of "/api/v1/sales" seen only from "203.0.113.7" (30 requests), never in the other 200 baseline requests with a query there (they carried "page"; p=0.005)`,
    ]);
  });
});

describe("params: empty values", () => {
  it("flags an empty value where every baseline value had characters", () => {
    const [finding] = score(SALES, "/api/v1/sales?page=");
    expect([finding?.kind, finding?.probability, finding?.message]).toEqual([
      "characters",
      1 / 202,
      `parameter "page" of "/api/v1/sales": all 200 baseline values were 1–3 characters of digits; this one is empty (in 0 of 200 baseline values; p=0.005): ""`,
    ]);
  });
});

describe("params: hostile values in messages", () => {
  it("escapes terminal control sequences that a decoded value or name carries", () => {
    const [finding] = score(SALES, "/api/v1/sales?page=%1B%5B2J%1B%5D0%3Bpwned%07");
    expect(finding?.message.endsWith(`: "\\u001b[2J\\u001b]0;pwned\\u0007"`)).toBe(true);
    expect(finding?.message).not.toMatch(/[\u0000-\u001f]/);
    const [named] = score(SALES, "/api/v1/sales?page=1&%1B%5B31m=1");
    expect(named?.message.startsWith('parameter "\\u001b[31m" of "/api/v1/sales" never seen')).toBe(true);
  });
});

describe("params: length", () => {
  it("flags a value far longer than the mean by Chebyshev's bound and the share of values as long", () => {
    const records = makeRecords(
      Array.from({ length: 200 }, (_, i) => ({ path: `/p?name=${"abcdefghij".slice(0, 3 + (i % 5))}` })),
    );
    const [finding] = score(records, `/p?name=${"x".repeat(80)}`);
    const mean = 5;
    const chebyshev = 2 / (80 - mean) ** 2;
    expect([finding?.kind, finding?.probability, finding?.counts]).toEqual([
      "length",
      Math.max(chebyshev, 1 / 202),
      { values: 200, length: 80, at_least_as_long: 0 },
    ]);
  });

  it("does not flag a value one character longer than any seen (σ² is at least 1)", () => {
    expect(score(SALES, "/api/v1/sales?page=1000")).toEqual([]);
  });
});

describe("params: enumerations", () => {
  const records = paths({ "/pay?mode=insert": 120, "/pay?mode=delete": 80 });

  it("flags a value outside a small set with the Good–Turing chance of a new token", () => {
    const [finding] = score(records, "/pay?mode=update");
    expect([finding?.kind, finding?.probability, finding?.message]).toEqual([
      "token",
      1 / 202,
      `parameter "mode" of "/pay": all 200 baseline values were one of 2 ("insert", "delete"); this one is "update", never seen (p=0.005)`,
    ]);
  });

  it("treats a parameter with more distinct values than maxTokens as free text", () => {
    expect(score(records, "/pay?mode=update", { maxTokens: 1 })).toEqual([]);
  });

  it("does not flag a new number in a numeric enumeration", () => {
    expect(score(paths({ "/list?sort=1": 100, "/list?sort=2": 100 }), "/list?sort=3")).toEqual([]);
  });
});

describe("params: presence", () => {
  const records = paths({ "/login?user=ann&remember=on": 150, "/login?user=bob&remember=off": 50 });

  it("flags a name the template never carried, p = (N₁ + 1) / (R + 2)", () => {
    const findings = score(records, "/login?user=ann&rememberA=on");
    expect(findings.map((f) => [f.kind, f.probability])).toEqual([
      ["unseen_parameter", 1 / 202],
      ["missing_parameter", 1 / 202],
    ]);
    expect(findings[0]!.message).toBe(
      `parameter "rememberA" of "/login" never seen in 200 baseline requests with a query there (they carried "remember" and "user"; p=0.005)`,
    );
    expect(findings[1]!.message).toBe(
      `parameter "remember" of "/login" present in 200 of 200 baseline requests with a query there, absent here (p=0.005)`,
    );
  });

  it("does not flag new names where new names are common (many seen once)", () => {
    const tracking = makeRecords(Array.from({ length: 200 }, (_, i) => ({ path: `/home?utm_${i}=x` })));
    expect(score(tracking, "/home?fbclid=1")).toEqual([]);
  });

  it("judges templates through the path part, so a payload does not move a request to another template", () => {
    expect(score(SALES, "/api/v1/sales?page=abc")[0]?.message).toContain(
      'parameter "page" of "/api/v1/sales"',
    );
  });
});

describe("params: support, limits and the no-query path", () => {
  it("judges nothing below minSupport", () => {
    const few = SALES.slice(0, 99);
    expect(score(few, "/api/v1/sales?page=2'+OR+'1'='1")).toEqual([]);
    expect(score(few, "/api/v1/sales?page=2'+OR+'1'='1", { minSupport: 50 }).length).toBe(1);
  });

  it("keeps at most maxFindings findings, the strongest", () => {
    const records = paths({ "/f?a=1&b=2&c=3": 200 });
    const findings = score(records, "/f?a=%3Cx%3E&b=x&c=(x)", { maxFindings: 2 });
    expect(findings.map((f) => f.message.split(":")[0])).toEqual([
      'parameter "a" of "/f"',
      'parameter "c" of "/f"',
    ]);
  });

  it("returns the shared empty result for a path without a query", () => {
    const fitted = fitDetector({ detector: params, records: SALES });
    expect(fitted.score(makeRecord({ path: "/api/v1/sales" }))).toBe(NO_FINDINGS);
    expect(fitted.score(makeRecord({ path: null }))).toBe(NO_FINDINGS);
  });

  it("past maxTemplates models a hash-chosen sample and says how many requests it does not judge", () => {
    const records = makeRecords(Array.from({ length: 30 }, (_, i) => ({ path: `/t${i}?a=1`, times: 2 })));
    const fitted = fitDetector({ detector: params, options: { maxTemplates: 10 }, records });
    const saved = fitted.hooks.toJSON(fitted.state) as { templates: { entries: unknown[] } };
    expect(saved.templates.entries.length).toBe(10);
    expect(fitted.warnings).toEqual([
      "params: more than 10 path templates carry a query string, so a hash-chosen sample of 10 is modelled and the 40 requests of the others are not judged (maxTemplates)",
    ]);
  });
});

/** Requests with queries made of hostile pieces: prototype names, Latin-1 and malformed escapes, empties. */
const piece = fc.constantFrom("a", "B1", "__proto__", "%27", "%E9", "%ZZ", "%4", "+", "1", "<x>", "", "=");
const anyRequests = fc
  .array(
    fc.record({
      template: fc.constantFrom("/a", "/b/1", "/constructor"),
      pairs: fc.array(fc.tuple(fc.array(piece, { maxLength: 3 }), fc.array(piece, { maxLength: 4 })), {
        maxLength: 4,
      }),
      ip: fc.constantFrom("10.0.0.1", "10.0.0.2", "toString", null),
    }),
    { maxLength: 60 },
  )
  .map((requests) =>
    requests.map(({ template, pairs, ip }) =>
      makeRecord({
        ip,
        path: `${template}?${pairs.map(([n, v]) => `${n.join("")}=${v.join("")}`).join("&")}`,
      }),
    ),
  );

describe("params: merging and saving", () => {
  const table = [
    ...SALES.slice(0, 60),
    ...paths({ "/login?user=ann&remember=on": 20, "/login?user=__proto__&remember=off": 5 }),
    ...makeRecords(
      Array.from({ length: 40 }, (_, i) => ({ path: `/s${i % 13}?q=${"ab".repeat(i % 7)}&x${i % 9}=1` })),
    ),
    ...paths({ "/": 10, "/search?q=caf%E9+%ZZ&q=2": 3 }),
  ];
  const options = { maxTemplates: 8, maxParameters: 4, maxTokens: 3, minSupport: 5, threshold: 0.2 };

  it("fitting shuffled shards and merging saves the very model of the whole fit, caps included", () => {
    const whole = fitDetector({ detector: params, options, records: table });
    const saved = JSON.stringify(whole.hooks.toJSON(whole.state));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(table, { minLength: table.length }),
        fc.nat(table.length),
        fc.nat(table.length),
        (shuffled, i, j) => {
          const [x, y] = [i, j].sort((p, q) => p - q) as [number, number];
          const sharded = fitDetectorOnShards({
            detector: params,
            options,
            shards: [shuffled.slice(0, x), shuffled.slice(x, y), shuffled.slice(y)],
          });
          expect(JSON.stringify(sharded.hooks.toJSON(sharded.state))).toBe(saved);
        },
      ),
      { seed: 42, numRuns: 40 },
    );
  });

  it("saves the same model after a JSON round trip, whatever the queries", () => {
    fc.assert(
      fc.property(anyRequests, (records) => {
        const fitted = fitDetector({ detector: params, options, records });
        const saved = fitted.hooks.toJSON(fitted.state);
        const loaded = fitted.hooks.fromJSON(JSON.parse(JSON.stringify(saved)));
        expect(fitted.hooks.toJSON(loaded)).toEqual(saved);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it("fitting shards and merging equals the whole fit, whatever the queries", () => {
    fc.assert(
      fc.property(anyRequests, fc.nat(), (records, cut) => {
        const at = records.length === 0 ? 0 : cut % records.length;
        const whole = fitDetector({ detector: params, options, records });
        const sharded = fitDetectorOnShards({
          detector: params,
          options,
          shards: [records.slice(0, at), records.slice(at)],
        });
        expect(sharded.hooks.toJSON(sharded.state)).toEqual(whole.hooks.toJSON(whole.state));
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it("scores the same after a JSON round trip", () => {
    const fitted = fitDetector({ detector: params, options, records: table });
    const loaded = roundTrip(fitted);
    const probes = [
      "/login?user=%3Cb%3E&remember=on",
      "/login?user=ann",
      "/login?user=x&rememberA=1",
      "/login?user=ann&remember=on",
    ].map((path) => makeRecord({ path }));
    const found = probes.map((r) => fitted.score(r));
    expect(probes.map((r) => loaded.score(r))).toEqual(found);
    expect(found.map((findings) => findings.map((f) => f.kind))).toEqual([
      ["characters"],
      ["missing_parameter"],
      ["token", "unseen_parameter"],
      [],
    ]);
  });
});

describe("params: saved state validation", () => {
  const fitted = fitDetector({ detector: params, records: SALES });
  const saved = () =>
    JSON.parse(JSON.stringify(fitted.hooks.toJSON(fitted.state))) as {
      version: number;
      requests: number;
      templates: {
        ceiling: number;
        entries: Array<
          [
            string,
            {
              requests: number;
              params: { entries: Array<[string, { values: number; classes: number[]; tokens: unknown }]> };
            },
          ]
        >;
      };
    };
  type Saved = ReturnType<typeof saved>;
  const sales = (j: Saved) => j.templates.entries[0]![1];
  const page = (j: Saved) => sales(j).params.entries[0]![1];

  it.each([
    ["another version", (j: Saved) => (j.version = 2), "state.version: expected version 1"],
    [
      "a fractional count",
      (j: Saved) => (page(j).values = 2.5),
      "state.templates.entries[0][1].params.entries[0][1].values: expected a count",
    ],
    [
      "lengths that do not add up",
      (j: Saved) => (page(j).values = 300),
      "state.templates.entries[0][1].params.entries[0][1].lengths: do not add up to the 300 values",
    ],
    [
      "a class counted more often than values",
      (j: Saved) => (page(j).classes[0] = 201),
      "state.templates.entries[0][1].params.entries[0][1].classes[0]: is 201 but only 200 values were counted",
    ],
    [
      "templates holding more requests than the state",
      (j: Saved) => (j.requests = 10),
      "state.requests: is 10 but the templates hold 200 requests",
    ],
    [
      "an entry above its ceiling",
      (j: Saved) => (j.templates.ceiling = 0),
      "state.templates.entries[0][0]: hashes at or above the ceiling",
    ],
  ])("rejects %s", (_name, corrupt, message) => {
    const json = saved();
    corrupt(json);
    expect(() => fitted.hooks.fromJSON(json)).toThrow(message);
  });

  it("rejects an injected __proto__ key without polluting Object.prototype", () => {
    const json: unknown = JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(saved()).slice(1)}`);
    expect(() => fitted.hooks.fromJSON(json)).toThrow('state: Unrecognized key: "__proto__"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("params: options", () => {
  function issues(options: unknown): readonly string[] {
    try {
      fitDetector({ detector: params, options, records: [] });
    } catch (error) {
      if (error instanceof ConfigError) return error.issues;
      throw error;
    }
    return [];
  }

  it("names the key path and what was expected", () => {
    expect(issues({ threshold: 2 })).toEqual([
      "detectors[0].options.threshold: expected a probability above 0 and below 1 (e.g. 0.01), received 2",
    ]);
    expect(issues({ minSupport: 0 })).toEqual([
      "detectors[0].options.minSupport: expected a whole number of baseline values from 1 to 1,000,000, received 0",
    ]);
  });

  it("defaults to p < 0.01, 100 values of support, 2 findings, 500 templates, 64 names and 16 tokens", () => {
    expect(params.meta.options["~standard"].validate({})).toEqual({
      value: {
        client: "ip",
        threshold: 0.01,
        minSupport: 100,
        maxFindings: 2,
        maxTemplates: 500,
        maxParameters: 64,
        maxTokens: 16,
      },
    });
  });
});

describe("params: summaries", () => {
  it("lists each template's parameters with how many requests carried them, busiest template first", () => {
    const fitted = fitDetector({
      detector: params,
      records: [...SALES, ...paths({ "/login?user=ann&remember=on": 30, "/login?user=bob": 10 })],
    });
    expect(
      fitted.hooks.summarize!(fitted.state).map((s) =>
        s.kind === "frequencies" ? [s.field, s.total, s.values.map((v) => [v.value, v.count])] : null,
      ),
    ).toEqual([
      ["parameters of /api/v1/sales", 200, [["page", 200]]],
      [
        "parameters of /login",
        40,
        [
          ["user", 40],
          ["remember", 30],
        ],
      ],
    ]);
  });

  it("counts a name repeated in one request once for presence and each of its values", () => {
    const fitted = fitDetector({ detector: params, records: paths({ "/f?a=1&a=2&b=x": 10 }) });
    const saved = fitted.hooks.toJSON(fitted.state) as {
      templates: {
        entries: Array<
          [string, { params: { entries: Array<[string, { present: number; values: number }]> } }]
        >;
      };
    };
    expect(saved.templates.entries[0]![1].params.entries.map(([n, p]) => [n, p.present, p.values])).toEqual([
      ["a", 10, 20],
      ["b", 10, 10],
    ]);
  });
});
