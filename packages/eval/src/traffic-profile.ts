import { getFieldText, type LogRecord } from "@oddity/core";

/** Counts an injector needs to make anomalies anomalous *relative to this traffic*. */
export interface TrafficProfile {
  total: number;
  methods: Map<string, number>;
  protocols: Map<string, number>;
  userAgents: Map<string, number>;
  ips: Map<string, number>;
  /** Per client: how often it used each user agent. */
  agentsByIp: Map<string, Map<string, number>>;
  /** Per client: requests answered with status ≥ 400. */
  errorsByIp: Map<string, number>;
  /** Per endpoint (path without query): successful responses with a size, and the largest size. */
  sizes: Map<string, { count: number; max: number }>;
}

function bump(map: Map<string, number>, key: string | null): void {
  if (key !== null) map.set(key, (map.get(key) ?? 0) + 1);
}

/** Builds the profile of everything the model will see (baseline and test records). */
export function profileTraffic(groups: ReadonlyArray<readonly LogRecord[]>): TrafficProfile {
  const profile: TrafficProfile = {
    total: 0,
    methods: new Map(),
    protocols: new Map(),
    userAgents: new Map(),
    ips: new Map(),
    agentsByIp: new Map(),
    errorsByIp: new Map(),
    sizes: new Map(),
  };
  for (const records of groups) {
    for (const record of records) {
      profile.total++;
      bump(profile.methods, record.method);
      bump(profile.protocols, record.http_version);
      bump(profile.userAgents, record.user_agent);
      bump(profile.ips, record.ip);
      if (record.ip !== null) {
        let agents = profile.agentsByIp.get(record.ip);
        if (agents === undefined) profile.agentsByIp.set(record.ip, (agents = new Map<string, number>()));
        bump(agents, record.user_agent);
        if (record.status !== null && record.status >= 400) bump(profile.errorsByIp, record.ip);
      }
      const endpoint = getFieldText(record, "endpoint");
      if (
        endpoint !== null &&
        record.size !== null &&
        record.size > 0 &&
        record.status !== null &&
        record.status < 300
      ) {
        const entry = profile.sizes.get(endpoint);
        if (entry === undefined) profile.sizes.set(endpoint, { count: 1, max: record.size });
        else {
          entry.count++;
          entry.max = Math.max(entry.max, record.size);
        }
      }
    }
  }
  return profile;
}
