import { fitDetector, makeRecord } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { lessonRecords, readCombinedLogs } from "../test/combined-log.js";
import { conditional } from "./index.js";

const lesson = await lessonRecords();
const wordpress = await readCombinedLogs("wap-hackathon-nginx/access.log");

describe("conditional on the lesson's 13,978 requests, default options", () => {
  const records = lesson;
  const fitted = fitDetector({ detector: conditional, records });

  it("leaves the bulk of python-requests paging through /api/v1/sales alone (under 1% flagged)", () => {
    const bulk = records.filter(
      (r) => r.user_agent!.startsWith("python-requests/") && /^\/api\/v1\/sales\?page=\d+$/.test(r.path!),
    );
    expect(bulk.length).toBeGreaterThan(12_000);
    expect(bulk.filter((r) => fitted.score(r).length > 0).length / bulk.length).toBeLessThan(0.01);
  });

  it("leaves the user agent seen once to rarity: it is as rare for its ip as overall", () => {
    const urllib = records.find((r) => r.user_agent === "Python-urllib/3.7")!;
    expect(fitted.score(urllib)).toEqual([]);
  });

  it("flags python-requests/2.20.1 from the client that sent only 2.21.0 in its 1,059 requests", () => {
    const probe = makeRecord({
      ip: "173.173.113.51",
      user_agent: "python-requests/2.20.1",
      path: "/api/v1/sales?page=3",
    });
    expect(fitted.score(probe).map((f) => [f.kind, f.message])).toEqual([
      [
        "unseen",
        'user_agent "python-requests/2.20.1" given ip "173.173.113.51": never in 1,059 requests (smoothed p=0.00094; overall p=0.14, lift 0.0068)',
      ],
    ]);
  });
});

describe("conditional on a real WordPress site's log (wap-hackathon-nginx, 10,000 requests)", () => {
  const records = wordpress;
  const fitted = fitDetector({ detector: conditional, records });

  it("flags the one xmlrpc.php request out of 206 that succeeded", () => {
    const xmlrpc = records.filter((r) => r.path === "/xmlrpc.php");
    const succeeded = xmlrpc.filter((r) => r.status === 200);
    expect([xmlrpc.length, succeeded.length]).toEqual([206, 1]);
    expect(fitted.score(succeeded[0]!).map((f) => f.message)).toContain(
      'status "200" given path_template "/xmlrpc.php": 1 of 206 requests (p=0.0049; overall p=0.77, lift 0.0063)',
    );
  });

  it("flags under 1% of the site's requests", () => {
    const flagged = records.filter((r) => fitted.score(r).length > 0).length;
    expect(flagged / records.length).toBeLessThan(0.01);
  });
});
