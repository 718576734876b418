import type { LogRecord } from "@oddity/core";
import { makeRecords } from "@oddity/core/testing";

/**
 * A small site's day: 40 ordinary clients reading 25 pages, each meeting the site's missing favicon
 * (404) now and then; three favicon fetchers that ask for nothing else; five people who follow one dead
 * link each and leave; and a scan over 30 rotating addresses, each asking `/xmlrpc.php` once or twice
 * (405) and nothing else. One address of the scan also posts to it (200).
 */
export function siteTraffic(): LogRecord[] {
  const rows: Array<Partial<LogRecord> & { times?: number }> = [];
  for (let c = 0; c < 40; c++) {
    const ip = `198.51.100.${c + 1}`;
    for (let p = 0; p < 25; p++) rows.push({ ip, path: `/page/${p}`, times: 1 + ((c + p) % 3) });
    rows.push({ ip, path: "/favicon.ico", status: 404, times: 1 + (c % 3) });
  }
  for (let f = 0; f < 3; f++) rows.push({ ip: `192.0.2.${f + 1}`, path: "/favicon.ico", status: 404 });
  for (let d = 0; d < 5; d++) rows.push({ ip: `192.0.2.${d + 100}`, path: `/dead/${d}`, status: 404 });
  for (let s = 0; s < 30; s++) {
    rows.push({ ip: `203.0.113.${s + 1}`, path: "/xmlrpc.php", status: 405, times: 1 + (s % 2) });
  }
  rows.push({ ip: "203.0.113.1", method: "POST", path: "/xmlrpc.php", status: 200 });
  return makeRecords(rows);
}
