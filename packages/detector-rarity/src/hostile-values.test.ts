import { createRecord, type AnyDetectorDefinition, type Finding, type LogRecord } from "@oddity/core";
import { fitDetector, fitDetectorOnShards, roundTrip, type FittedDetector } from "@oddity/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { lessonRecords } from "../test/combined-log.js";
import { rarity } from "./index.js";

// Real values of the lesson's log renamed to the names that break code keying plain objects by log
// values: a frequent IP and a rare one, rare user agents and paths.
const RENAMES: Record<"ip" | "user_agent" | "path", Map<string, string>> = {
  ip: new Map([
    ["97.105.19.58", "__proto__"],
    ["3.88.129.158", "toString"],
    ["173.173.113.51", "hasOwnProperty"],
  ]),
  user_agent: new Map([
    ["Python-urllib/3.7", "__proto__"],
    ["Slackbot 1.0 (+https://api.slack.com/robots)", "constructor"],
    ["python-requests/2.20.1", "toString"],
  ]),
  path: new Map([
    ["/api/V1/HiZach!", "hasOwnProperty"],
    ["/api/v1/helloclass!", "__proto__"],
    ["/", "constructor"],
  ]),
};

function rename(record: LogRecord): LogRecord {
  const swap = (field: keyof typeof RENAMES) => {
    const value = record[field];
    return value === null ? null : (RENAMES[field].get(value) ?? value);
  };
  return createRecord({ ...record, ip: swap("ip"), user_agent: swap("user_agent"), path: swap("path") });
}

// A finding of the renamed fit, told in the original values: what the original fit must have said.
function original(finding: Finding): Omit<Finding, "message"> {
  const { message: _message, ...rest } = finding;
  const back = (value: string, i: number) => {
    const renames = RENAMES[finding.fields[i] as keyof typeof RENAMES] as Map<string, string> | undefined;
    for (const [from, to] of renames ?? []) if (to === value) return from;
    return value;
  };
  return { ...rest, values: finding.values.map(back) };
}

function withoutMessage(finding: Finding): Omit<Finding, "message"> {
  const { message: _message, ...rest } = finding;
  return rest;
}

const detector: AnyDetectorDefinition = rarity;
const options = { fields: ["user_agent", "ip", "path"], budget: 0.01 };

let records: LogRecord[];
let hostile: LogRecord[];
let baseline: FittedDetector;
beforeAll(async () => {
  records = await lessonRecords();
  hostile = records.map(rename);
  baseline = fitDetector({ detector, options, records });
});

// What Object.prototype holds before any test: counting log values must add nothing to it.
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

function expectSameVerdicts(fitted: FittedDetector): void {
  const expected = records.map((r) => baseline.score(r).map(withoutMessage));
  const found = hostile.map((r) => fitted.score(r).map(original));
  expect(found).toEqual(expected);
  // The renamed values must be among those judged, or the comparison would prove nothing.
  const renamed = new Set(Object.values(RENAMES).flatMap((m) => [...m.keys()]));
  expect(expected.flat().filter((f) => f.values.some((v) => renamed.has(v))).length).toBeGreaterThan(0);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
}

describe("rarity on values named __proto__, constructor, toString, hasOwnProperty", () => {
  it("counts them like any other value when fitting and scoring", () => {
    expectSameVerdicts(fitDetector({ detector, options, records: hostile }));
  });

  it("counts them like any other value when merging shards", () => {
    const shards = [hostile.slice(0, 5000), hostile.slice(5000, 9000), hostile.slice(9000)];
    expectSameVerdicts(fitDetectorOnShards({ detector, options, shards }));
  });

  it("keeps their counts through a saved and loaded model", () => {
    expectSameVerdicts(roundTrip(fitDetector({ detector, options, records: hostile })));
  });
});
