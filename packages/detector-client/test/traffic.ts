import type { LogRecord } from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";

/**
 * A small site's day: 40 ordinary clients reading 25 shared pages (each meets a 404 now and then), a
 * crawler that alone reads 300 pages that exist, a person who mistypes three URLs, and a scanner at
 * 203.0.113.7 asking 120 paths nobody else asks, nearly all answered 404.
 */
export function siteTraffic(): LogRecord[] {
  const rows: Array<Partial<LogRecord> & { times?: number }> = [];
  for (let c = 0; c < 40; c++) {
    const ip = `198.51.100.${c + 1}`;
    for (let p = 0; p < 25; p++) rows.push({ ip, path: `/page/${p}`, times: 2 + ((c + p) % 3) });
    rows.push({ ip, path: "/favicon.ico", status: 404, times: 1 + (c % 3) });
  }
  for (let p = 0; p < 300; p++) {
    rows.push({ ip: "66.249.66.1", path: `/archive/${p}`, user_agent: "Googlebot/2.1" });
  }
  rows.push({ ip: "66.249.66.1", path: "/old-link", status: 404, times: 6 });
  rows.push({ ip: "192.0.2.9", path: "/pgae/1", status: 404 });
  rows.push({ ip: "192.0.2.9", path: "/page/1x", status: 404 });
  rows.push({ ip: "192.0.2.9", path: "/paeg/2", status: 404 });
  rows.push({ ip: "192.0.2.9", path: "/page/1", times: 5 });
  const probes = [".env", ".git/config", "wp-login.php", "xmlrpc.php", "shell.php", "backup.zip"];
  for (let p = 0; p < 120; p++) {
    rows.push({
      ip: "203.0.113.7",
      path: `/${probes[p % probes.length]!}.${p}`,
      status: 404,
      user_agent: "scan/1",
    });
  }
  rows.push({ ip: "203.0.113.7", path: "/", user_agent: "scan/1" });
  return makeRecords(rows);
}
