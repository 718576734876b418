import { ConfigError, ModelError, type LogRecord } from "@oddity/core";
import {
  checkCountedFit,
  checkFootprints,
  fitDetector,
  fitDetectorOnShards,
  makeRecord,
  makeRecords,
  roundTrip,
} from "@oddity/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { siteTraffic } from "../test/traffic.js";
import { targets } from "./index.js";

const records = siteTraffic();
const fitted = fitDetector({ detector: targets, records });

function flaggedPaths(fit: ReturnType<typeof fitDetector>, rows: readonly LogRecord[]): string[] {
  const flagged = new Set<string>();
  for (const r of rows) if (fit.score(r).length > 0) flagged.add(r.path!);
  return [...flagged].sort();
}

describe("targets: which paths", () => {
  it("flags the path a scan over rotating addresses shares, and not the favicon ordinary clients miss", () => {
    expect(flaggedPaths(fitted, records)).toEqual(["/xmlrpc.php"]);
  });

  it("explains the target with its clients, the other clients' share and the tail", () => {
    const probe = records.find((r) => r.path === "/xmlrpc.php" && r.ip === "203.0.113.2")!;
    const [finding] = fitted.score(probe);
    // Error-only clients: 29 of the scan (one also posted, with a 200), 3 favicon fetchers, 5 dead links.
    expect(finding!.message).toMatch(
      /^path_template "\/xmlrpc\.php": 29 of the 30 clients that asked for it got nothing but errors from the site \(other clients 17%; p=\d\.\de-\d+\)$/,
    );
    expect(finding!.counts).toEqual({ clients: 30, error_only_clients: 29 });
    expect(finding!.kind).toBe("target");
    expect(finding!.surprisal).toBe(40);
    expect(finding!.statistics!.log10_p).toBeLessThan(-6);
  });

  it("attaches the finding to the target's error responses only", () => {
    const post = records.find((r) => r.method === "POST")!;
    expect(post.status).toBe(200);
    expect(fitted.score(post)).toEqual([]);
    const gets = records.filter((r) => r.path === "/xmlrpc.php" && r.status === 405);
    expect(gets.every((r) => fitted.score(r).length === 1)).toBe(true);
  });

  it("needs minClients error-only clients: nine addresses of a scan do not make a target, ten do", () => {
    const site = makeRecords(
      Array.from({ length: 40 }, (_, c) => ({ ip: `10.0.1.${c}`, path: `/p/${c % 5}`, times: 5 })),
    );
    const scan = (n: number) =>
      makeRecords(Array.from({ length: n }, (_, s) => ({ ip: `10.9.9.${s}`, path: "/.env", status: 404 })));
    const nine = scan(9);
    const ten = scan(10);
    expect(flaggedPaths(fitDetector({ detector: targets, records: [...site, ...nine] }), nine)).toEqual([]);
    expect(flaggedPaths(fitDetector({ detector: targets, records: [...site, ...ten] }), ten)).toEqual([
      "/.env",
    ]);
  });

  it("does not flag a path when error-only clients are as common among the others", () => {
    // Half of every path's clients get nothing but errors: no path stands out.
    const rows = makeRecords(
      Array.from({ length: 200 }, (_, c) => ({
        ip: `10.2.${c >> 8}.${c & 255}`,
        path: `/p/${c % 4}`,
        status: c % 2 === 0 ? 404 : 200,
      })),
    );
    expect(flaggedPaths(fitDetector({ detector: targets, records: rows }), rows)).toEqual([]);
  });

  it("ignores requests without a client key", () => {
    const rows = makeRecords([{ ip: null, path: "/x", status: 404, times: 50 }]);
    const fit = fitDetector({ detector: targets, records: rows });
    expect(fit.hooks.toJSON(fit.state)).toMatchObject({ clients: { values: [] }, pairs: { values: [] } });
  });
});

describe("targets: bounded memory", () => {
  const many = makeRecords(
    Array.from({ length: 60 }, (_, c) => ({ ip: `10.3.0.${c}`, path: `/q/${c % 7}`, status: 404 + (c % 2) })),
  );

  it("keeps a hash-chosen sample past maxClients and maxPairs, and says so", () => {
    const fit = fitDetector({ detector: targets, options: { maxClients: 10, maxPairs: 5 }, records: many });
    const json = fit.hooks.toJSON(fit.state) as {
      clients: { values: unknown[] };
      pairs: { values: unknown[] };
    };
    expect(json.clients.values.length).toBe(10);
    expect(json.pairs.values.length).toBe(5);
    fit.hooks.prepare!(fit.state);
    expect(fit.warnings).toEqual([
      expect.stringMatching(/^targets: more than 10 clients, so a hash-chosen sample of 10 is counted/),
      expect.stringMatching(/^targets: more than 5 distinct \(path, client\) pairs/),
    ]);
  });

  it("fit on shards and merged equals the whole fit, in any split and order", () => {
    const options = { maxClients: 10, maxPairs: 5 };
    const whole = fitDetector({ detector: targets, options, records: many });
    const expected = JSON.stringify(whole.hooks.toJSON(whole.state));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(many, { minLength: many.length }),
        fc.nat(many.length),
        fc.nat(many.length),
        (shuffled, i, j) => {
          const [a, b] = [Math.min(i, j), Math.max(i, j)];
          const sharded = fitDetectorOnShards({
            detector: targets,
            options,
            shards: [shuffled.slice(0, a), shuffled.slice(a, b), shuffled.slice(b)],
          });
          return JSON.stringify(sharded.hooks.toJSON(sharded.state)) === expected;
        },
      ),
    );
  });

  it("an engine's grouped counts build the very state observing does, capped or not", () => {
    checkCountedFit({ detector: targets, records });
    checkCountedFit({ detector: targets, options: { maxClients: 10, maxPairs: 5 }, records: many });
    checkCountedFit({ detector: targets, options: { key: ["ip", "user_agent"] }, records });
  });

  it("its footprint, path template and status, decides its findings", () => {
    expect(() => checkFootprints({ detector: targets, records })).not.toThrow();
  });
});

describe("targets: saved models", () => {
  it("a model saved and loaded judges every record alike", () => {
    const loaded = roundTrip(fitted);
    fc.assert(
      fc.property(fc.constantFrom(...records), (r) => {
        expect(loaded.score(r)).toEqual(fitted.score(r));
      }),
    );
  });

  it("refuses a model whose client has more errors than requests, naming the key path", () => {
    const json = fitted.hooks.toJSON(fitted.state) as { clients: { values: [string, number, number][] } };
    json.clients.values[0]![2] = json.clients.values[0]![1] + 1;
    expect(() => fitted.hooks.fromJSON(json)).toThrow(ModelError);
    expect(() => fitted.hooks.fromJSON(json)).toThrow(
      "state.clients.values[0][2]: is more than the client's requests",
    );
  });

  it("refuses a model of another version", () => {
    expect(() => fitted.hooks.fromJSON({ version: 99 })).toThrow(/expected version 1/);
  });
});

describe("targets: options", () => {
  it("rejects minClients of 0 with what it expected", () => {
    expect(() =>
      fitDetector({ detector: targets, options: { minClients: 0 }, records: [makeRecord()] }),
    ).toThrow(ConfigError);
  });
});
