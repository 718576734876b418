import {
  FIT_WAYS,
  fitDetectorByCounts,
  hostileRenames,
  readRecords,
  renamingEffects,
} from "@oddity/core/testing";
import { fixture } from "@oddity/fixtures";
import { describe, expect, it } from "vitest";
import { size } from "./index.js";

// Real values of the lesson's log renamed to the names that break code keying plain objects by log
// values: a frequent IP and a rare one, rare user agents and paths.
const RENAMES = hostileRenames({
  ip: ["97.105.19.58", "3.88.129.158", "173.173.113.51"],
  user_agent: ["Python-urllib/3.7", "Slackbot 1.0 (+https://api.slack.com/robots)", "python-requests/2.20.1"],
  path: ["/api/V1/HiZach!", "/api/v1/helloclass!", "/"],
});

const options = { groupBy: ["user_agent", "ip"], minGroupSize: 2, side: "both" };
// The lesson's 13,978 rows.
const records = await readRecords({
  files: ["access.log", "lesson-synthetic.log"].map((file) => fixture(`codeup-api-access/${file}`)),
  format: { name: "combined" },
});

describe("size on values named __proto__, constructor, toString, hasOwnProperty", () => {
  it.each([...FIT_WAYS, { name: "fitted from grouped counts", fit: fitDetectorByCounts }])(
    "counts them like any other value when $name",
    ({ fit }) => {
      const effects = renamingEffects({ detector: size, options, records, renames: RENAMES, fit });
      expect(effects).toEqual({ differences: [], prototypeAdded: [] });
    },
  );
});
