import { FIT_WAYS, fitDetectorByCounts, hostileRenames, renamingEffects } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { lessonRecords } from "../test/combined-log.js";
import { rarity } from "./index.js";

// Real values of the lesson's log renamed to the names that break code keying plain objects by log
// values: a frequent IP and a rare one, rare user agents and paths.
const RENAMES = hostileRenames({
  ip: ["97.105.19.58", "3.88.129.158", "173.173.113.51"],
  user_agent: ["Python-urllib/3.7", "Slackbot 1.0 (+https://api.slack.com/robots)", "python-requests/2.20.1"],
  path: ["/api/V1/HiZach!", "/api/v1/helloclass!", "/"],
});

const options = { fields: ["user_agent", "ip", "path"], budget: 0.01 };
const records = await lessonRecords();

describe("rarity on values named __proto__, constructor, toString, hasOwnProperty", () => {
  it.each([...FIT_WAYS, { name: "fitted from grouped counts", fit: fitDetectorByCounts }])(
    "counts them like any other value when $name",
    ({ fit }) => {
      const effects = renamingEffects({ detector: rarity, options, records, renames: RENAMES, fit });
      expect(effects).toEqual({ differences: [], prototypeAdded: [] });
    },
  );
});
