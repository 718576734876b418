import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { createRecord, type LogRecord } from "../record.js";
import { createParser } from "./create.js";

function parse(format: { name: "apache" | "nginx"; logFormat: string }, line: string): LogRecord | string {
  return createParser(format).parse(line, "custom.log", 3);
}

function extraOf(result: LogRecord | string): Record<string, string> | null {
  if (typeof result === "string") throw new Error(result);
  return result.extra === null ? null : { ...result.extra };
}

describe("apache LogFormat", () => {
  const vhostFormat = {
    name: "apache" as const,
    logFormat: '%v %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D "%{X-Forwarded-For}i"',
  };
  const line =
    'shop.example 10.0.0.7 - bob [16/Apr/2019:19:34:42 +0000] "POST /login HTTP/2.0" 302 - "https://shop.example/" "curl/8.5" 1534 "203.0.113.9, 10.0.0.1"';

  it("reads %v, %D (µs) and X-Forwarded-For into extra, and the rest into record fields", () => {
    expect(parse(vhostFormat, line)).toEqual(
      createRecord({
        source: "custom.log",
        line: 3,
        raw: line,
        ip: "10.0.0.7",
        ident: "-",
        user: "bob",
        time: Date.UTC(2019, 3, 16, 19, 34, 42),
        time_text: "16/Apr/2019:19:34:42 +0000",
        method: "POST",
        path: "/login",
        http_version: "HTTP/2.0",
        status: 302,
        size: null,
        referer: "https://shop.example/",
        user_agent: "curl/8.5",
        extra: { vhost: "shop.example", response_time_ms: "1.534", x_forwarded_for: "203.0.113.9, 10.0.0.1" },
      }),
    );
  });

  it("stores extra fields in a null-prototype object", () => {
    const result = parse(vhostFormat, line);
    expect(typeof result === "string" ? result : Object.getPrototypeOf(result.extra)).toBeNull();
  });

  it('accepts a format pasted from httpd.conf with \\" around fields', () => {
    const pasted = { name: "apache" as const, logFormat: String.raw`%h %l %u %t \"%r\" %>s %b` };
    expect(parse(pasted, '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 42')).toMatchObject({
      ip: "1.2.3.4",
      path: "/",
      status: 200,
      size: 42,
    });
  });

  it("reads %T seconds as milliseconds and %B as the size", () => {
    const format = { name: "apache" as const, logFormat: "%h %>s %B %T" };
    const result = parse(format, "1.2.3.4 200 0 2");
    expect(result).toMatchObject({ ip: "1.2.3.4", status: 200, size: 0 });
    expect(extraOf(result)).toEqual({ response_time_ms: "2000" });
  });

  it("joins %U and %q into the path, and reads %m and %H", () => {
    const format = { name: "apache" as const, logFormat: "%h %m %U%q %H %>s" };
    expect(parse(format, "1.2.3.4 GET /search?q=x HTTP/1.1 200")).toMatchObject({
      method: "GET",
      path: "/search?q=x",
      http_version: "HTTP/1.1",
    });
  });

  it("names any request header %{Name}i as an extra field", () => {
    const format = { name: "apache" as const, logFormat: '%h "%{Accept-Language}i" %>s' };
    expect(extraOf(parse(format, '1.2.3.4 "de-CH" 200'))).toEqual({ accept_language: "de-CH" });
  });

  it("keeps %h as the ip and moves %a to extra.client_ip", () => {
    const format = { name: "apache" as const, logFormat: "%h %a %>s" };
    const result = parse(format, "10.0.0.1 198.51.100.4 200");
    expect(result).toMatchObject({ ip: "10.0.0.1" });
    expect(extraOf(result)).toEqual({ client_ip: "198.51.100.4" });
  });

  it("rejects a line that does not follow the format, naming the expected text and column", () => {
    expect(parse(vhostFormat, "shop.example 10.0.0.7 - bob 16/Apr/2019")).toBe(
      'expected " [" after %u (opened at column 25)',
    );
  });

  it("throws a ConfigError naming an unknown directive", () => {
    expect(() => createParser({ name: "apache", logFormat: "%h %Z" })).toThrow(
      new ConfigError('cannot read the apache format "%h %Z"', ["column 4: unknown directive %Z"]),
    );
  });

  it("throws a ConfigError for two directives with nothing between them", () => {
    expect(() => createParser({ name: "apache", logFormat: "%h%l" })).toThrow(ConfigError);
    expect(() => createParser({ name: "apache", logFormat: "%h%l" })).toThrow(/%h and %l touch/);
  });
});

describe("apache LogFormat directives of stock configs", () => {
  it("reads Apache's stock ssl_request_log layout, %{SSL_PROTOCOL}x and %{SSL_CIPHER}x included", () => {
    const format = {
      name: "apache" as const,
      logFormat: '%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \\"%r\\" %b',
    };
    const result = parse(
      format,
      '[16/Apr/2019:19:34:42 +0000] 1.2.3.4 TLSv1.3 TLS_AES_256_GCM_SHA384 "GET / HTTP/1.1" 512',
    );
    expect(result).toMatchObject({ ip: "1.2.3.4", method: "GET", size: 512 });
    expect(extraOf(result)).toEqual({ ssl_protocol: "TLSv1.3", ssl_cipher: "TLS_AES_256_GCM_SHA384" });
  });

  it("reads %O as the size when %b is absent", () => {
    const format = { name: "apache" as const, logFormat: '%h %l %u %t "%r" %>s %I %O' };
    const result = parse(format, '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 310 2048');
    expect(result).toMatchObject({ size: 2048 });
    expect(extraOf(result)).toEqual({ bytes_received: "310" });
  });

  it("keeps %O apart from the size when %b is there", () => {
    const format = { name: "apache" as const, logFormat: '%h %l %u %t "%r" %>s %b %O' };
    const result = parse(format, '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET / HTTP/1.1" 200 100 2048');
    expect(result).toMatchObject({ size: 100 });
    expect(extraOf(result)).toEqual({ bytes_sent: "2048" });
  });

  it.each([
    ["%D", "1500", "1.5"],
    ["%T", "2", "2000"],
    ["%{ms}T", "15", "15"],
    ["%{us}T", "1500", "1.5"],
  ])("reads %s %s as response_time_ms %s", (directive, logged, ms) => {
    const format = { name: "apache" as const, logFormat: `%h ${directive}` };
    expect(extraOf(parse(format, `1.2.3.4 ${logged}`))).toEqual({ response_time_ms: ms });
  });

  it("names %{X}^ti and %{X}^to request_trailer_x and response_trailer_x", () => {
    const format = { name: "apache" as const, logFormat: "%h %{Grpc-Status}^to %{Digest}^ti" };
    expect(extraOf(parse(format, "1.2.3.4 0 sha-256=abc"))).toEqual({
      response_trailer_grpc_status: "0",
      request_trailer_digest: "sha-256=abc",
    });
  });

  it("reads an unquoted %r, spaces and all", () => {
    const format = { name: "apache" as const, logFormat: "%h %l %u %t %r %>s %b" };
    expect(parse(format, "1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] GET /a b HTTP/1.0 200 5")).toMatchObject({
      method: "GET",
      path: "/a b",
      http_version: "HTTP/1.0",
      status: 200,
      size: 5,
    });
  });
});

describe("nginx log_format", () => {
  it("reads $bytes_sent as the size when $body_bytes_sent is absent", () => {
    const format = { name: "nginx" as const, logFormat: "$remote_addr $status $bytes_sent" };
    expect(parse(format, "1.2.3.4 200 777")).toMatchObject({ size: 777, extra: null });
  });

  it("reads $request_time as milliseconds and keeps $upstream_response_time as logged", () => {
    const format = {
      name: "nginx" as const,
      logFormat:
        '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time $upstream_response_time',
    };
    const line =
      '1.2.3.4 - - [16/Apr/2019:19:34:42 +0000] "GET /api HTTP/1.1" 200 42 "-" "ua/1" "203.0.113.9" 0.012 0.010, 0.002';
    const result = parse(format, line);
    expect(result).toMatchObject({
      ip: "1.2.3.4",
      user: "-",
      ident: null,
      path: "/api",
      status: 200,
      size: 42,
    });
    expect(extraOf(result)).toEqual({
      x_forwarded_for: "203.0.113.9",
      response_time_ms: "12",
      upstream_response_time: "0.010, 0.002",
    });
  });

  it("reads $time_iso8601, $host and $request_uri", () => {
    const format = {
      name: "nginx" as const,
      logFormat: "$time_iso8601 $host $request_method $request_uri $status",
    };
    const result = parse(format, "2019-04-16T19:34:42+00:00 shop.example GET /a?b=1 404");
    expect(result).toMatchObject({
      time: Date.UTC(2019, 3, 16, 19, 34, 42),
      time_text: "2019-04-16T19:34:42+00:00",
      method: "GET",
      path: "/a?b=1",
      status: 404,
    });
    expect(extraOf(result)).toEqual({ vhost: "shop.example" });
  });

  it("reads $uri$is_args$args as one path", () => {
    const format = { name: "nginx" as const, logFormat: "$request_method $uri$is_args$args $status" };
    expect(parse(format, "GET /search?q=1 200")).toMatchObject({
      method: "GET",
      path: "/search?q=1",
      status: 200,
    });
  });

  it("appends $args to $uri with a question mark", () => {
    const format = { name: "nginx" as const, logFormat: "$uri $args $status" };
    expect(parse(format, "/search q=1 200")).toMatchObject({ path: "/search?q=1" });
    expect(parse(format, "/search - 200")).toMatchObject({ path: "/search" });
  });
});
