// Run with `node --test` (no build step): the plugin test kit comes from @oddity/core/testing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fitDetector, fitDetectorOnShards, makeRecord, makeRecords, roundTrip } from "@oddity/core/testing";
import routeGuard from "./route-guard.js";

const baseline = makeRecords([
  { times: 30, method: "GET", path: "/api/v1/items?page=2" },
  { times: 10, method: "POST", path: "/api/v1/orders/17" },
  { times: 5, method: "GET", path: "/health" },
]);

test("flags a POST to a path that received only GET in 30 baseline requests", () => {
  const fitted = fitDetector({ detector: routeGuard, records: baseline });
  const [finding] = fitted.score(makeRecord({ method: "POST", path: "/api/v1/items" }));
  assert.deepEqual(
    { kind: finding.kind, values: finding.values, counts: finding.counts, probability: finding.probability },
    {
      kind: "method",
      values: ["/api/v1/items", "POST"],
      counts: { count: 0, given_count: 30, methods: 1 },
      probability: 1 / 32,
    },
  );
});

test("leaves a new method alone on a path with fewer requests than minSupport", () => {
  const fitted = fitDetector({ detector: routeGuard, records: baseline });
  assert.deepEqual(fitted.score(makeRecord({ method: "DELETE", path: "/health" })), []);
});

test("flags percent-encoded path traversal the baseline never had", () => {
  const fitted = fitDetector({ detector: routeGuard, records: baseline });
  const findings = fitted.score(makeRecord({ path: "/static/%2e%2e/%2e%2e/etc/passwd" }));
  assert.deepEqual(
    findings.map((f) => [f.kind, f.counts, f.probability]),
    [["traversal", { traversal: 0, total: 45 }, 1 / 47]],
  );
});

test("fitting on shards and merging gives the model a whole fit gives", () => {
  const whole = fitDetector({ detector: routeGuard, records: baseline });
  const shards = fitDetectorOnShards({
    detector: routeGuard,
    shards: [baseline.slice(0, 12), baseline.slice(12)],
  });
  assert.deepEqual(shards.hooks.toJSON(shards.state), whole.hooks.toJSON(whole.state));
});

test("counts a path named __proto__ like any other and survives a JSON round trip", () => {
  const records = makeRecords([{ times: 25, method: "GET", path: "/__proto__" }]);
  const fitted = roundTrip(fitDetector({ detector: routeGuard, records }));
  const [finding] = fitted.score(makeRecord({ method: "PUT", path: "/__proto__" }));
  assert.deepEqual(finding.counts, { count: 0, given_count: 25, methods: 1 });
});

test("rejects options of the wrong type with the key path", () => {
  assert.throws(
    () => fitDetector({ detector: routeGuard, options: { minSupport: "many" }, records: [] }),
    /minSupport: expected number, received "many"/,
  );
});
