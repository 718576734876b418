import { describe, expect, it } from "vitest";
import { createFieldCache } from "./field-cache.js";
import { fieldReader } from "./fields.js";
import { pathTemplate } from "./path-template.js";
import { makeRecord } from "./testing.js";

const PATHS = ["/api/v1/sales?page=81", "/api/v1/sales?page=2", "/users/123/edit", "/", "/a%20b?x=__proto__"];

describe("createFieldCache", () => {
  it("gives every caller of one field the same codes, an alias the codes of its field, each field its own", () => {
    const cache = createFieldCache();
    expect(cache.codes("ip")).toBe(cache.codes("ip"));
    expect(cache.codes("client_ip")).toBe(cache.codes("ip"));
    expect(cache.codes("ip")).not.toBe(cache.codes("user_agent"));
  });

  it("reads every field as the uncached fieldReader does, path templates included", () => {
    const cache = createFieldCache();
    const records = [...PATHS, ...PATHS, null].map((path) => makeRecord({ path }));
    for (const name of ["path_template", "endpoint", "query", "status", "ip", "request_path"]) {
      const cached = cache.reader(name);
      const plain = fieldReader(name);
      expect(records.map(cached)).toEqual(records.map(plain));
    }
  });

  it("numbers each template it reads once, in its own path_template codes", () => {
    const cache = createFieldCache();
    const read = cache.reader("path_template");
    for (const path of [...PATHS, ...PATHS]) read(makeRecord({ path }));
    const codes = cache.codes("path_template");
    const numbered = Array.from({ length: codes.size }, (_, i) => codes.value(i));
    expect(numbered).toEqual([...new Set(PATHS.map(pathTemplate))]);
    expect(numbered.length).toBeLessThan(PATHS.length);
  });

  it("shares nothing with another cache: values and templates numbered in one are not in the other", () => {
    const one = createFieldCache();
    const other = createFieldCache();
    one.codes("ip").code("10.0.0.1");
    one.reader("path_template")(makeRecord({ path: "/users/7" }));
    expect(other.codes("ip").size).toBe(0);
    expect(other.codes("path_template").size).toBe(0);
    other.reader("path_template")(makeRecord({ path: "/users/7" }));
    expect([one.codes("path_template").size, other.codes("path_template").size]).toEqual([1, 1]);
  });
});
