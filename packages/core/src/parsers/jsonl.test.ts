import { describe, expect, it } from "vitest";
import { createRecord, type LogRecord } from "../record.js";
import { createJsonlParser } from "./jsonl.js";

function extraOf(result: LogRecord | string): Record<string, string> | null {
  if (typeof result === "string") throw new Error(result);
  return result.extra === null ? null : { ...result.extra };
}

describe("jsonl", () => {
  const parser = createJsonlParser({ name: "jsonl" });

  it("reads nginx-style JSON keys without a mapping", () => {
    const line =
      '{"remote_addr":"97.105.19.58","remote_user":"-","time_local":"16/Apr/2019:19:34:42 +0000","request":"GET /api/v1/items HTTP/1.1","status":"200","body_bytes_sent":"3561","http_referer":"","http_user_agent":"python-requests/2.21.0"}';
    expect(parser.parse(line, "access.jsonl", 1)).toEqual(
      createRecord({
        source: "access.jsonl",
        line: 1,
        raw: line,
        ip: "97.105.19.58",
        user: "-",
        time: Date.UTC(2019, 3, 16, 19, 34, 42),
        time_text: "16/Apr/2019:19:34:42 +0000",
        method: "GET",
        path: "/api/v1/items",
        http_version: "HTTP/1.1",
        status: 200,
        size: 3561,
        user_agent: "python-requests/2.21.0",
      }),
    );
  });

  it("reads configured keys and leaves the default spellings of a configured field to extra", () => {
    const mapped = createJsonlParser({
      name: "jsonl",
      fields: { ip: "client", time: "ts", path: "uri", status: "code" },
    });
    const result = mapped.parse(
      '{"client":"10.1.1.1","ip":"10.9.9.9","ts":1555443282,"uri":"/x","code":503}',
      "s",
      2,
    );
    expect(result).toMatchObject({ ip: "10.1.1.1", time: 1555443282000, path: "/x", status: 503 });
    expect(extraOf(result)).toEqual({ ip: "10.9.9.9" });
  });

  it("renames a key into an extra field when the mapping targets a name that is no record field", () => {
    const mapped = createJsonlParser({ name: "jsonl", fields: { vhost: "server" } });
    expect(extraOf(mapped.parse('{"server":"a.example","status":200}', "s", 1))).toEqual({
      vhost: "a.example",
    });
  });

  it("reads method and path keys when there is no request key, and the first known spelling wins", () => {
    const result = parser.parse(
      '{"ip":"1.1.1.1","client_ip":"2.2.2.2","method":"PUT","path":"/p","protocol":"HTTP/2.0"}',
      "s",
      1,
    );
    expect(result).toMatchObject({ ip: "1.1.1.1", method: "PUT", path: "/p", http_version: "HTTP/2.0" });
    expect(extraOf(result)).toEqual({ client_ip: "2.2.2.2" });
  });

  it("reads Elastic Common Schema objects as dotted keys", () => {
    const line =
      '{"@timestamp":"2019-04-16T19:34:42.000Z","source":{"ip":"1.2.3.4"},"http":{"request":{"method":"GET"},"response":{"status_code":404,"body":{"bytes":12}}},"url":{"original":"/missing"},"user_agent":{"original":"curl/8"}}';
    expect(parser.parse(line, "ecs.json", 1)).toEqual(
      createRecord({
        source: "ecs.json",
        line: 1,
        raw: line,
        ip: "1.2.3.4",
        time: Date.UTC(2019, 3, 16, 19, 34, 42),
        time_text: "2019-04-16T19:34:42.000Z",
        method: "GET",
        path: "/missing",
        status: 404,
        size: 12,
        user_agent: "curl/8",
      }),
    );
  });

  it("keeps __proto__ and constructor keys as plain extra fields without touching Object.prototype", () => {
    const result = parser.parse(
      '{"status":200,"__proto__":{"polluted":"yes"},"constructor":"c","toString":"t"}',
      "s",
      1,
    );
    expect(extraOf(result)).toEqual({ "__proto__.polluted": "yes", constructor: "c", toString: "t" });
    expect(typeof result === "string" ? result : Object.getPrototypeOf(result.extra)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps arrays and numbers of unmapped keys as text", () => {
    expect(
      extraOf(parser.parse('{"status":200,"tags":["a","b"],"upstream_ms":12.5,"cached":true}', "s", 1)),
    ).toEqual({
      tags: '["a","b"]',
      upstream_ms: "12.5",
      cached: "true",
    });
  });

  it("maps Caddy's nested request keys and reads each header array as its first value", () => {
    const line = JSON.stringify({
      level: "info",
      ts: 1646861401.5241024,
      logger: "http.log.access.log0",
      msg: "handled request",
      request: {
        remote_ip: "127.0.0.1",
        remote_port: "41342",
        client_ip: "203.0.113.5",
        proto: "HTTP/2.0",
        method: "GET",
        host: "example.com",
        uri: "/a?b=1",
        headers: { "User-Agent": ["curl/7.82.0"], Referer: ["https://example.com/"], Accept: ["*/*"] },
      },
      bytes_read: 0,
      user_id: "",
      duration: 0.000929675,
      size: 10900,
      status: 200,
      resp_headers: { Server: ["Caddy"] },
    });
    const record = parser.parse(line, "s", 1);
    expect(record).toMatchObject({
      ip: "203.0.113.5",
      method: "GET",
      path: "/a?b=1",
      http_version: "HTTP/2.0",
      status: 200,
      size: 10900,
      referer: "https://example.com/",
      user_agent: "curl/7.82.0",
      time: 1646861401524,
    });
    expect(extraOf(record)).toMatchObject({
      "request.host": "example.com",
      "request.remote_ip": "127.0.0.1",
      "request.headers.Accept": "*/*",
      duration: "0.000929675",
      "resp_headers.Server": "Caddy",
    });
  });

  it("maps Traefik's JSON access log keys", () => {
    const line = JSON.stringify({
      ClientHost: "198.51.100.4",
      ClientAddr: "198.51.100.4:52422",
      RequestMethod: "POST",
      RequestPath: "/login",
      RequestProtocol: "HTTP/1.1",
      DownstreamStatus: 401,
      DownstreamContentSize: 17,
      Duration: 1234567,
      StartUTC: "2024-04-16T10:00:00.123456789Z",
      "request_User-Agent": "python-requests/2.31",
      request_Referer: "-",
    });
    expect(parser.parse(line, "s", 1)).toMatchObject({
      ip: "198.51.100.4",
      method: "POST",
      path: "/login",
      http_version: "HTTP/1.1",
      status: 401,
      size: 17,
      user_agent: "python-requests/2.31",
      referer: null,
      time: Date.UTC(2024, 3, 16, 10, 0, 0, 123),
    });
  });

  it("maps AWS ALB fields as Athena names them and CloudFront's real-time log fields", () => {
    const alb = JSON.stringify({
      time: "2024-04-16T10:00:00.186641Z",
      client_ip: "192.0.2.10",
      request_verb: "GET",
      request_url: "https://shop.example:443/cart",
      request_proto: "HTTP/1.1",
      elb_status_code: 200,
      sent_bytes: 366,
      user_agent: "curl/8.5.0",
    });
    expect(parser.parse(alb, "s", 1)).toMatchObject({
      ip: "192.0.2.10",
      method: "GET",
      path: "https://shop.example:443/cart",
      http_version: "HTTP/1.1",
      status: 200,
      size: 366,
      user_agent: "curl/8.5.0",
    });
    const cloudfront = JSON.stringify({
      timestamp: "1713261600.123",
      "c-ip": "192.0.2.11",
      "cs-method": "GET",
      "cs-uri-stem": "/index.html",
      "sc-status": "304",
      "sc-bytes": "0",
      "cs-protocol-version": "HTTP/2.0",
      "cs-user-agent": "Mozilla/5.0",
      "cs-referer": "-",
    });
    expect(parser.parse(cloudfront, "s", 1)).toMatchObject({
      ip: "192.0.2.11",
      method: "GET",
      path: "/index.html",
      http_version: "HTTP/2.0",
      status: 304,
      size: 0,
      user_agent: "Mozilla/5.0",
      referer: null,
      time: 1713261600123,
    });
  });

  it("rejects invalid JSON without repeating the line's content", () => {
    const reason = parser.parse('{"status": 200, "ua": "\u001b[31mred', "s", 1);
    expect(reason).toMatch(/^expected a JSON object; the line is not valid JSON/);
    expect(reason).not.toContain("\u001b");
  });

  it("rejects JSON that is not an object", () => {
    expect(parser.parse("[1,2]", "s", 1)).toBe("expected a JSON object, found an array");
    expect(parser.parse("42", "s", 1)).toBe("expected a JSON object, found a number");
  });

  it("rejects a status that is not a whole number", () => {
    expect(parser.parse('{"status":"OK"}', "s", 1)).toBe(
      'expected a status code (an integer up to 999) in "status"',
    );
  });
});
