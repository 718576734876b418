import { FIT_WAYS, hostileRenames, renamingEffects } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { siteTraffic } from "../test/traffic.js";
import { client } from "./index.js";

// The scanner, an ordinary client and the crawler renamed to names that break code keying plain
// objects by log values; scan paths too.
const RENAMES = hostileRenames({
  ip: ["203.0.113.7", "198.51.100.1", "66.249.66.1"],
  path: ["/.env.0", "/.git/config.1", "/page/1"],
});

const records = siteTraffic();

describe("client on values named __proto__, constructor, toString, hasOwnProperty", () => {
  it.each(FIT_WAYS)("counts them like any other value when $name", ({ fit }) => {
    const effects = renamingEffects({ detector: client, records, renames: RENAMES, fit });
    expect(effects).toEqual({ differences: [], prototypeAdded: [] });
  });
});
