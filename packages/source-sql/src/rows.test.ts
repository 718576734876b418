import { InputError, createRecord, getField } from "@oddity/core";
import { describe, expect, it } from "vitest";
import { createRowMapper } from "./rows.js";

const SOURCE = "postgres://oddity@127.0.0.1:5432/logs/(SELECT …)";

describe("createRowMapper", () => {
  it("maps columns named for fields (and their aliases, in any case) onto the record", () => {
    const map = createRowMapper({
      columns: [
        "IP",
        "timestamp",
        "request_method",
        "request_path",
        "protocol",
        "status_code",
        "bytes",
        "referer",
        "agent",
      ],
      source: SOURCE,
    });
    const when = new Date(Date.UTC(2019, 3, 16, 19, 34, 42));
    const row = [
      "97.105.19.58",
      when,
      "GET",
      "/api/v1/items",
      "HTTP/1.1",
      200,
      "3561",
      null,
      "python-requests/2.21.0",
    ];
    expect(map(row, 7)).toEqual(
      createRecord({
        source: SOURCE,
        line: 7,
        raw: '{"IP":"97.105.19.58","timestamp":"2019-04-16T19:34:42.000Z","request_method":"GET","request_path":"/api/v1/items","protocol":"HTTP/1.1","status_code":200,"bytes":"3561","referer":null,"agent":"python-requests/2.21.0"}',
        ip: "97.105.19.58",
        time: when.getTime(),
        time_text: "2019-04-16T19:34:42.000Z",
        method: "GET",
        path: "/api/v1/items",
        http_version: "HTTP/1.1",
        status: 200,
        size: 3561,
        referer: null,
        user_agent: "python-requests/2.21.0",
      }),
    );
  });

  it("puts unknown columns in extra and the primary key in extra.primary_key", () => {
    const map = createRowMapper({
      columns: ["id", "path", "vhost", "__proto__"],
      source: SOURCE,
      primaryKey: "id",
    });
    const record = map([42n, "/", "api.example", "polluted?"], 1);
    expect(typeof record).toBe("object");
    const { extra } = record as { extra: Record<string, string> };
    expect(Object.getPrototypeOf(extra)).toBe(null);
    expect({ ...extra }).toEqual({ primary_key: "42", vhost: "api.example", ["__proto__"]: "polluted?" });
    expect(getField(record as never, "__proto__")).toBe("polluted?");
    expect(({} as Record<string, unknown>).polluted).toBe(undefined);
  });

  it("rejects a row whose status is not a number, naming the column and value", () => {
    const map = createRowMapper({ columns: ["path", "status"], source: SOURCE });
    expect(map(["/", "OK\u001b[31m"], 3)).toBe('status is not a number: "OK\\u001b[31m"');
  });

  it("refuses two columns that fill the same field", () => {
    expect(() => createRowMapper({ columns: ["ts", "time", "timestamp"], source: SOURCE })).toThrow(
      new InputError(`${SOURCE}: columns "time" and "timestamp" both map to time; alias one of them`),
    );
  });

  it("refuses a primary key the query does not select", () => {
    expect(() => createRowMapper({ columns: ["path"], source: SOURCE, primaryKey: "id" })).toThrow(
      new InputError(`${SOURCE}: the query has no column "id" for the primary key (columns: path)`),
    );
  });

  it("keeps a time_text column as shown while the time column gives the instant", () => {
    const map = createRowMapper({ columns: ["time", "time_text"], source: SOURCE });
    const record = map([1555443282, "16/Apr/2019:19:34:42 +0000"], 1);
    expect([
      getField(record as never, "time"),
      getField(record as never, "time_text"),
      getField(record as never, "hour"),
    ]).toEqual([1555443282000, "16/Apr/2019:19:34:42 +0000", 19]);
  });
});
