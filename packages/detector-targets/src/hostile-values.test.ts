import { FIT_WAYS, hostileRenames, renamingEffects } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { siteTraffic } from "../test/traffic.js";
import { targets } from "./index.js";

// Two addresses of the scan, an ordinary client and the target itself renamed to names that break code
// keying plain objects by log values; judged by raw path, so findings name the renamed path itself.
const RENAMES = hostileRenames({
  ip: ["203.0.113.7", "203.0.113.8", "198.51.100.1"],
  path: ["/xmlrpc.php", "/page/1", "/favicon.ico"],
});

const records = siteTraffic();

describe("targets on values named __proto__, constructor, toString, hasOwnProperty", () => {
  it.each(FIT_WAYS)("counts them like any other value when $name", ({ fit }) => {
    const effects = renamingEffects({
      detector: targets,
      options: { path: "path" },
      records,
      renames: RENAMES,
      fit,
    });
    expect(effects).toEqual({ differences: [], prototypeAdded: [] });
  });
});
