import { describe, expect, it } from "vitest";
import { CODEUP, LESSON_SYNTHETIC, oddity } from "./helpers.js";

interface ProfileJSON {
  total: number;
  fields: Record<string, Array<{ value: string; count: number; probability: number; given?: string }>>;
}

const round6 = (rows: ProfileJSON["fields"][string]) =>
  rows.map((r) => [r.value, r.count, Number(r.probability.toFixed(6))]);

describe("oddity profile", () => {
  it("reproduces the lesson's request_method, http_version and user_agent tables count for count", async () => {
    const { code, stdout, stderr } = await oddity([
      "profile",
      CODEUP,
      LESSON_SYNTHETIC,
      "--field",
      "request_method",
      "--field",
      "http_version",
      "--field",
      "user_agent",
      "--format",
      "json",
    ]);
    expect([code, stderr.includes("13,978 parsed, 0 rejected")]).toEqual([0, true]);
    const profile = JSON.parse(stdout) as ProfileJSON;
    expect(profile.total).toBe(13978);
    expect(round6(profile.fields.request_method!)).toEqual([["GET", 13978, 1]]);
    expect(round6(profile.fields.http_version!)).toEqual([["HTTP/1.1", 13978, 1]]);
    // The lesson's table (In [12]), to the six decimals pandas prints.
    expect(round6(profile.fields.user_agent!)).toEqual([
      ["python-requests/2.21.0", 12005, 0.85885],
      ["python-requests/2.20.1", 1911, 0.136715],
      [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0.3683.103 Safari/537.36",
        34,
        0.002432,
      ],
      ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:66.0) Gecko/20100101 Firefox/66.0", 8, 0.000572],
      ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", 7, 0.000501],
      ["Slackbot 1.0 (+https://api.slack.com/robots)", 6, 0.000429],
      [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_3) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/73.0.3683.103 Safari/537.36",
        4,
        0.000286,
      ],
      [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_3) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36",
        2,
        0.000143,
      ],
      ["Python-urllib/3.7", 1, 0.000072],
    ]);
  });

  it("prints P(status | ip) keyed status|ip, given values in count then text order", async () => {
    const { code, stdout } = await oddity([
      "profile",
      LESSON_SYNTHETIC,
      "--given",
      "ip",
      "--field",
      "status",
      "--format",
      "json",
    ]);
    expect([code, JSON.parse(stdout)]).toEqual([
      0,
      {
        total: 4,
        fields: {
          "status|ip": [
            { value: "301", count: 1, probability: 1, given: "95.31.16.121" },
            { value: "200", count: 1, probability: 1, given: "95.31.18.119" },
            { value: "301", count: 1, probability: 1, given: "97.105.15.120" },
            { value: "200", count: 1, probability: 1, given: "97.105.19.58" },
          ],
        },
      },
    ]);
  });

  it("--top keeps the first rows of each table (per given value) and counts the rest", async () => {
    const json = async (...args: string[]) =>
      JSON.parse(
        (await oddity(["profile", CODEUP, "--format", "json", "--quiet", ...args])).stdout,
      ) as ProfileJSON;
    const all = await json("--field", "path", "--field", "user_agent", "--rare");
    const top = await json("--field", "path", "--field", "user_agent", "--rare", "--top", "3");
    for (const field of ["path", "user_agent"]) {
      expect(all.fields[field]!.length).toBeGreaterThan(3);
      expect(top.fields[field]).toEqual(all.fields[field]!.slice(0, 3));
    }
    const pairs = await json("--given", "status", "--field", "path");
    const firstPairs = await json("--given", "status", "--field", "path", "--top", "2");
    const givens = [...new Set(pairs.fields["path|status"]!.map((r) => r.given))];
    expect(firstPairs.fields["path|status"]).toEqual(
      givens.flatMap((g) => pairs.fields["path|status"]!.filter((r) => r.given === g).slice(0, 2)),
    );
    const { stdout } = await oddity(["profile", CODEUP, "--field", "path", "--top", "3", "--quiet"]);
    const distinct = all.fields["path"]!.length;
    expect(stdout).toContain(`path (13,974 records, ${distinct.toLocaleString("en-US")} distinct)`);
    expect(stdout).toContain(`… ${(distinct - 3).toLocaleString("en-US")} more (use --top 0 for all)`);
  });

  it("shows probabilities to six decimals in the table, rarest first with --rare", async () => {
    const { stdout } = await oddity([
      "profile",
      CODEUP,
      LESSON_SYNTHETIC,
      "--field",
      "status",
      "--rare",
      "--quiet",
    ]);
    expect(stdout.split("\n")).toEqual([
      "status (13,978 records, 3 distinct)",
      "value   count     proba",
      "301         2  0.000143",
      "499        16  0.001145",
      "200    13,960  0.998712",
      "",
    ]);
  });

  it("warns about a misspelt field name and suggests the right one", async () => {
    const { code, stderr } = await oddity(["profile", LESSON_SYNTHETIC, "--field", "user_agnet"]);
    expect([code, stderr.split("\n")[0]]).toEqual([
      0,
      'warning: "user_agnet" is not a known field; did you mean "user_agent"? (reading it as a format extra field; records without it count as "-")',
    ]);
  });
});
