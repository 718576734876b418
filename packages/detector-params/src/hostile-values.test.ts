import { FIT_WAYS, HOSTILE_NAMES, makeRecords, renamingEffects } from "@oddity/core/testing";
import { describe, expect, it } from "vitest";
import { params } from "./index.js";

// A login form and a search from 20 clients, each with odd requests among ordinary ones.
const records = makeRecords([
  { times: 120, path: "/login?user=ann&remember=on" },
  { times: 80, path: "/login?user=bob&remember=off" },
  { times: 1, path: "/login?user=ann&rememberA=on" },
  { times: 1, path: "/login?user=%27+OR+1%3D1--&remember=on" },
  { times: 1, path: "/login?user=bob" },
  ...Array.from({ length: 150 }, (_, i) => ({ path: `/search?q=shoes+${i}&page=${i % 7}` })),
  { times: 1, path: "/search?q=%3Cscript%3E&page=1" },
  { times: 1, path: "/search?q=x&page=2&debug=1" },
]).map((record, i) => ({ ...record, ip: `10.0.${i % 20}.1` }));

// Each parameter name and one path segment take a name that breaks code keying plain objects by them.
const [proto, ctor, toStr, hasOwn] = HOSTILE_NAMES;
function hostile(path: string): string {
  return path
    .replace("/login", `/${hasOwn}`)
    .replace(/([?&])user=/, `$1${proto}=`)
    .replace(/([?&])remember=/, `$1${ctor}=`)
    .replace(/([?&])page=/, `$1${toStr}=`);
}
const renames = { path: new Map([...new Set(records.map((r) => r.path!))].map((p) => [p, hostile(p)])) };

describe("params on parameters and paths named __proto__, constructor, toString, hasOwnProperty", () => {
  it.each(FIT_WAYS)("judges them like any other name when $name", ({ fit }) => {
    const effects = renamingEffects({ detector: params, options: { minSupport: 50 }, records, renames, fit });
    expect(effects).toEqual({ differences: [], prototypeAdded: [] });
  });
});
