import { UserError, getFieldText, type LogRecord } from "@oddity/core";
import { formatCombined } from "./combined.js";
import { createRandom, type Random } from "./random.js";
import { profileTraffic, type TrafficProfile } from "./traffic-profile.js";

/** The kinds of labelled anomaly the injector plants (issue 9's list). */
export const ANOMALY_KINDS = [
  "rare-user-agent",
  "scanner-path",
  "unusual-method",
  "unusual-protocol",
  "size-outlier",
  "error-status",
  "foreign-user-agent",
  "new-client-ip",
] as const;

/** One kind of injected anomaly. */
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** What {@link injectAnomalies} needs. */
export interface InjectOptions {
  /** The traffic to plant anomalies in (left untouched; copies are returned). */
  records: readonly LogRecord[];
  /**
   * Records the model will also learn from (the clean baseline in hold-out mode): anomalies are made
   * anomalous relative to these too, e.g. a "new" client IP is absent from both.
   */
  baseline?: readonly LogRecord[];
  seed: number;
  /** Anomalies per input record, e.g. 0.01 plants 1 anomaly per 100 records (0 < rate ≤ 0.5). */
  rate: number;
  /** Kinds to plant, in equal numbers (default all {@link ANOMALY_KINDS}). */
  kinds?: readonly AnomalyKind[];
  /** `source` of the returned records (default `injected.log`). */
  source?: string;
}

/** The injected log: records (renumbered 1..n in `line`), labels by record index, and what was skipped. */
export interface InjectedLog {
  records: LogRecord[];
  /** Record index → kind, for the planted records only. */
  labels: Map<number, AnomalyKind>;
  /** Kinds that this traffic cannot host (e.g. no client with enough requests), and why. */
  skipped: Array<{ kind: AnomalyKind; reason: string }>;
}

// A value is "common" when at least 1% of requests carry it; a client is "known" from 50 requests on
// (below that, its habits are not established and conditional detectors rightly stay quiet).
const COMMON_SHARE = 0.01;
const MIN_CLIENT_REQUESTS = 50;
const HEALTHY_ERROR_SHARE = 0.01;
const MIN_ENDPOINT_SIZES = 20;

const TOOL_AGENTS = [
  "curl/7.64.1",
  "sqlmap/1.3.4#stable (http://sqlmap.org)",
  "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)",
  "Wget/1.20.3 (linux-gnu)",
  "Go-http-client/1.1",
  "masscan/1.0 (https://github.com/robertdavidgraham/masscan)",
  "Mozilla/5.0 zgrab/0.x",
  "WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)",
  "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
  "libwww-perl/6.43",
  "Java/1.8.0_181",
  "Python-urllib/3.7",
];

const PROBE_PATHS = [
  "/wp-login.php",
  "/.env",
  "/.git/config",
  "/xmlrpc.php",
  "/wp-admin/admin-ajax.php",
  "/phpmyadmin/index.php",
  "/.aws/credentials",
  "/actuator/env",
  "/server-status",
  "/boaform/admin/formLogin",
  "/../../../../etc/passwd",
  "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
  "/cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh",
];

const SQL_INJECTIONS = [
  "1%27%20OR%20%271%27%3D%271",
  "1%20UNION%20SELECT%20username,password%20FROM%20users--",
  "1;DROP%20TABLE%20users",
  "-1%27%20AND%20SLEEP(5)--%20-",
];

const METHODS = ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "DEBUG"];
const PROTOCOLS = ["HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/3.0"];
const ERROR_STATUSES = [500, 502, 503, 504, 401, 403];

function isCommon(count: number | undefined, profile: TrafficProfile): boolean {
  return (count ?? 0) >= COMMON_SHARE * profile.total;
}

/** A planter makes one anomaly of its kind from a template record, or says why it cannot. */
interface Planter {
  /** Indexes of records that can serve as templates. */
  templates: number[];
  plant(template: LogRecord, random: Random): Partial<LogRecord>;
}

function sqlInjected(path: string, random: Random): string {
  const payload = random.pick(SQL_INJECTIONS);
  const q = path.indexOf("?");
  if (q === -1) return `${path}?id=${payload}`;
  const eq = path.indexOf("=", q);
  const end = path.indexOf("&", q);
  if (eq === -1 || (end !== -1 && end < eq)) return `${path.slice(0, q)}?id=${payload}`;
  return `${path.slice(0, eq + 1)}${payload}${end === -1 ? "" : path.slice(end)}`;
}

function freshIp(profile: TrafficProfile, random: Random): string {
  // RFC 2544's benchmarking range: never a real client, and never in a log unless we put it there.
  for (;;) {
    const ip = `198.${18 + random.int(2)}.${random.int(256)}.${1 + random.int(254)}`;
    if (!profile.ips.has(ip)) {
      // Each planted client is new exactly once, like a real first visit.
      profile.ips.set(ip, 0);
      return ip;
    }
  }
}

function planters(records: readonly LogRecord[], profile: TrafficProfile): Record<AnomalyKind, Planter> {
  const all = records.map((_, i) => i);
  const where = (keep: (record: LogRecord) => boolean) => all.filter((i) => keep(records[i]!));
  const tools = TOOL_AGENTS.filter((ua) => !profile.userAgents.has(ua));
  const methods = METHODS.filter((m) => !isCommon(profile.methods.get(m), profile));
  const protocols = PROTOCOLS.filter((p) => !isCommon(profile.protocols.get(p), profile));
  const commonAgents = [...profile.userAgents]
    .filter(([, count]) => isCommon(count, profile))
    .map(([ua]) => ua)
    .sort();
  const foreignAgents = new Map<string, string[]>();
  for (const [ip, agents] of profile.agentsByIp) {
    let n = 0;
    for (const count of agents.values()) n += count;
    if (n < MIN_CLIENT_REQUESTS) continue;
    const foreign = commonAgents.filter((ua) => !agents.has(ua));
    if (foreign.length > 0) foreignAgents.set(ip, foreign);
  }
  const healthy = new Set<string>();
  for (const [ip, count] of profile.ips) {
    if (count >= MIN_CLIENT_REQUESTS && (profile.errorsByIp.get(ip) ?? 0) <= HEALTHY_ERROR_SHARE * count) {
      healthy.add(ip);
    }
  }
  const sizeOk = (record: LogRecord) => {
    const endpoint = getFieldText(record, "endpoint");
    const entry = endpoint === null ? undefined : profile.sizes.get(endpoint);
    return (
      entry !== undefined &&
      entry.count >= MIN_ENDPOINT_SIZES &&
      record.status !== null &&
      record.status < 300
    );
  };
  return {
    "rare-user-agent": {
      templates: tools.length > 0 ? all : [],
      plant: (_t, random) => ({ user_agent: random.pick(tools) }),
    },
    "scanner-path": {
      templates: where((r) => r.path !== null),
      plant: (t, random) => ({
        path: random.next() < 0.7 ? random.pick(PROBE_PATHS) : sqlInjected(t.path!, random),
      }),
    },
    "unusual-method": {
      templates: methods.length > 0 ? where((r) => r.method !== null) : [],
      plant: (_t, random) => ({ method: random.pick(methods) }),
    },
    "unusual-protocol": {
      templates: protocols.length > 0 ? where((r) => r.http_version !== null) : [],
      plant: (_t, random) => ({ http_version: random.pick(protocols) }),
    },
    "size-outlier": {
      templates: where(sizeOk),
      plant: (t, random) => {
        const max = profile.sizes.get(getFieldText(t, "endpoint")!)!.max;
        return { size: Math.ceil(max * (2 + 6 * random.next())) };
      },
    },
    "error-status": {
      templates: where((r) => r.ip !== null && healthy.has(r.ip)),
      plant: (_t, random) => ({ status: random.pick(ERROR_STATUSES) }),
    },
    "foreign-user-agent": {
      templates: where((r) => r.ip !== null && foreignAgents.has(r.ip)),
      plant: (t, random) => ({ user_agent: random.pick(foreignAgents.get(t.ip!)!) }),
    },
    "new-client-ip": {
      templates: all,
      plant: (_t, random) => ({ ip: freshIp(profile, random) }),
    },
  };
}

const REASONS: Record<AnomalyKind, string> = {
  "rare-user-agent": "every tool user agent already occurs in the traffic",
  "scanner-path": "no record has a path",
  "unusual-method": "every candidate method is already common",
  "unusual-protocol": "every candidate protocol is already common",
  "size-outlier": `no endpoint has ${MIN_ENDPOINT_SIZES} successful responses with a size`,
  "error-status": `no client has ${MIN_CLIENT_REQUESTS} requests with under 1% errors`,
  "foreign-user-agent": `no client with ${MIN_CLIENT_REQUESTS} requests lacks a user agent that 1% of all requests use`,
  "new-client-ip": "the traffic is empty",
};

/**
 * Plants labelled anomalies in a log. Each anomaly is a copy of a random normal record (its template)
 * with only the fields that define its kind changed, inserted right after the template so its time fits;
 * kinds come in equal numbers. Deterministic for a seed.
 */
export function injectAnomalies({
  records,
  baseline = [],
  seed,
  rate,
  kinds = ANOMALY_KINDS,
  source = "injected.log",
}: InjectOptions): InjectedLog {
  if (!(rate > 0 && rate <= 0.5)) {
    throw new UserError(`the anomaly rate must be a number in (0, 0.5], received ${String(rate)}`);
  }
  const unknown = kinds.filter((k) => !(ANOMALY_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new UserError(
      `unknown anomaly kind ${JSON.stringify(unknown[0])}; known: ${ANOMALY_KINDS.join(", ")}`,
    );
  }
  const random = createRandom(seed);
  const profile = profileTraffic([baseline, records]);
  const available = planters(records, profile);
  const skipped: InjectedLog["skipped"] = [];
  const usable = [...new Set(kinds)].filter((kind) => {
    if (available[kind].templates.length > 0) return true;
    skipped.push({ kind, reason: REASONS[kind] });
    return false;
  });
  const after = new Map<number, Array<{ kind: AnomalyKind; record: LogRecord }>>();
  const total = usable.length === 0 ? 0 : Math.round(rate * records.length);
  const order = random.shuffle(usable);
  for (let n = 0; n < total; n++) {
    const kind = order[n % order.length]!;
    const planter = available[kind];
    const at = random.pick(planter.templates);
    const template = records[at]!;
    const record: LogRecord = { ...template, ...planter.plant(template, random) };
    record.raw = formatCombined(record);
    let list = after.get(at);
    if (list === undefined) after.set(at, (list = []));
    list.push({ kind, record });
  }
  const out: LogRecord[] = [];
  const labels = new Map<number, AnomalyKind>();
  const push = (record: LogRecord) => out.push({ ...record, source, line: out.length + 1 });
  records.forEach((record, i) => {
    push(record);
    for (const planted of after.get(i) ?? []) {
      labels.set(out.length, planted.kind);
      push(planted.record);
    }
  });
  return { records: out, labels, skipped };
}
