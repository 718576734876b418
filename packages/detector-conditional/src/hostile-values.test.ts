import { FIT_WAYS, hostileRenames, renamingEffects } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { lessonRecords } from "../test/combined-log.js";
import { conditional } from "./index.js";

// Real values of the lesson's log renamed to the names that break code keying plain objects by log
// values: a frequent IP and a rare one, rare user agents and paths, on both sides of each pair.
const RENAMES = hostileRenames({
  ip: ["97.105.19.58", "3.88.129.158", "173.173.113.51"],
  user_agent: ["Python-urllib/3.7", "Slackbot 1.0 (+https://api.slack.com/robots)", "python-requests/2.20.1"],
  path: ["/api/V1/HiZach!", "/api/v1/helloclass!", "/"],
});

const options = {
  pairs: [
    { given: "ip", target: "user_agent" },
    { given: "user_agent", target: "path" },
    { given: "path", target: "ip" },
  ],
  minSupport: 5,
};
const records = await lessonRecords();

describe("conditional on values named __proto__, constructor, toString, hasOwnProperty", () => {
  it.each(FIT_WAYS)("counts them like any other value when $name", ({ fit }) => {
    const effects = renamingEffects({ detector: conditional, options, records, renames: RENAMES, fit });
    expect(effects).toEqual({ differences: [], prototypeAdded: [] });
  });
});
