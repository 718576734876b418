import { canonicalField, getFieldNumber, type DetectorContext, type LogRecord } from "@oddity/core";
import {
  addValue,
  emptyDistribution,
  mergeDistributions,
  type Distribution,
  type DistributionLimits,
} from "./distribution.js";
import { profileOf, type Profile } from "./fences.js";
import type { ResolvedOptions } from "./options.js";

/** One group's values of the grouping fields and what it learned. */
export interface Group {
  labels: string[];
  distribution: Distribution;
}

/** Profiles derived once after fitting (or loading); never saved. */
export interface Prepared {
  /** Null when the baseline has fewer than `minGroupSize` numeric values. */
  global: Profile | null;
  /** Only groups with at least `minGroupSize` values; the others are scored against `global`. */
  groups: Map<string, Profile>;
}

/** What the size detector learns from a baseline. */
export interface SizeState {
  /** Every numeric value, grouped or not: the fallback distribution. */
  global: Distribution;
  /** Keyed by {@link GroupReader} keys; at most {@link trackedGroups} of them. */
  groups: Map<string, Group>;
  /** Records whose field was absent or not a number (`-` sizes): skipped, but counted. */
  missing: number;
  /** Records of groups not tracked (hash at or above `hashCeiling`); they still count in `global`. */
  evicted: number;
  /** Groups whose key hashes at or above this are not tracked; 2³² while every group fits. */
  hashCeiling: number;
  prepared: Prepared | null;
}

/** No ceiling: FNV-1a hashes are below 2³². */
export const NO_CEILING = 2 ** 32;

export function emptyState(): SizeState {
  return {
    global: emptyDistribution(),
    groups: new Map(),
    missing: 0,
    evicted: 0,
    hashCeiling: NO_CEILING,
    prepared: null,
  };
}

/**
 * How many groups the state tracks: far more than the `maxGroups` that get a profile, so the choice of
 * the largest groups, made once at prepare time from complete counts, is exact on ordinary logs.
 */
export function trackedGroups(options: Pick<ResolvedOptions, "maxGroups">): number {
  return Math.max(20 * options.maxGroups, 10_000);
}

/** 32-bit FNV-1a of a group key. */
export function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Reads the numeric field; `size` directly, since it is the common case and the hot loop. */
export function numberReader(field: string): (record: LogRecord) => number | null {
  if (canonicalField(field) === "size") {
    return (record) => (record.size !== null && Number.isFinite(record.size) ? record.size : null);
  }
  return (record) => getFieldNumber(record, field);
}

/** A record's group: a map key and the field values it stands for; null when it has none. */
export type GroupReader = (record: LogRecord) => { key: string; labels: string[] } | null;

/** The map key of a group: the value itself for one field, a JSON list for several. */
export function groupKey(labels: readonly string[]): string {
  return labels.length === 1 ? labels[0]! : JSON.stringify(labels);
}

interface GroupNode {
  /** Null on the last field's nodes, which lead nowhere. */
  next: Map<string, GroupNode> | null;
  group: { key: string; labels: string[] } | null;
}

// Nodes in a reader's cache before it starts afresh: memory stays bounded on high-cardinality groupings.
const GROUP_CACHE_LIMIT = 100_000;

/**
 * Reads a record's group. The same few groups recur on almost every record, so each distinct group is
 * one object found through a map per field (a trie), rather than a key built and hashed per record.
 * Callers must not change the labels they are given. Fields are read by `fieldReader` (the detector
 * context's, which shares the pipeline's path templates).
 */
export function groupReader({
  groupBy,
  fieldReader,
}: {
  groupBy: readonly string[];
  fieldReader: DetectorContext["fieldReader"];
}): GroupReader | null {
  if (groupBy.length === 0) return null;
  const readers = groupBy.map((name) => fieldReader(name));
  const labels: string[] = readers.map(() => "");
  let root = new Map<string, GroupNode>();
  let nodes = 0;
  const last = readers.length - 1;
  return (record) => {
    let level = root;
    let node: GroupNode | undefined;
    for (let i = 0; i <= last; i++) {
      const value = readers[i]!(record);
      if (value === null) return null;
      labels[i] = value;
      node = level.get(value);
      if (node === undefined) {
        if (nodes >= GROUP_CACHE_LIMIT) {
          // The walk goes on in nodes no longer reachable from the new root: this record's group is
          // still right, and the next record starts from an empty cache.
          root = new Map();
          nodes = 0;
        }
        node = { next: i < last ? new Map() : null, group: null };
        level.set(value, node);
        nodes++;
      }
      if (node.next !== null) level = node.next;
    }
    return (node!.group ??= { key: groupKey(labels), labels: [...labels] });
  };
}

/**
 * Bounds memory without depending on arrival order (so fitting on shards and merging gives the same
 * bytes as one fit): the tracked groups are always those whose key hashes below a ceiling, and the ceiling
 * only falls, to the hash of the first group that does not fit. After this runs, the tracked set is the
 * `limit` smallest key hashes among all keys seen, whatever the order, like a bottom-k sample. While
 * fitting, the set may grow to 2 × `limit` before it is cut back, so the sort is paid once per `limit`
 * newcomers; every cut keeps the smallest hashes seen so far, so the final cut (at prepare and save)
 * gives the same set as cutting at every step.
 */
export function boundGroups(state: SizeState, limit: number): void {
  for (const [key, group] of state.groups) {
    if (keyHash(key) >= state.hashCeiling) {
      state.evicted += group.distribution.count;
      state.groups.delete(key);
    }
  }
  if (state.groups.size <= limit) return;
  const byHash = [...state.groups.keys()]
    .map((key) => [keyHash(key), key] as const)
    .sort((a, b) => a[0] - b[0]);
  state.hashCeiling = byHash[limit]![0];
  for (const [hash, key] of byHash) {
    if (hash < state.hashCeiling) continue;
    state.evicted += state.groups.get(key)!.distribution.count;
    state.groups.delete(key);
  }
}

/** The `keep` largest groups (ties by key): the ones profiled; chosen from complete counts. */
export function largestGroups(state: SizeState, keep: number): Array<[string, Group]> {
  const ranked = [...state.groups].sort(
    ([keyA, a], [keyB, b]) =>
      b.distribution.count - a.distribution.count || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0),
  );
  return ranked.slice(0, keep);
}

/** Folds `count` records (one by default) with this value and group into the state. */
export function observeValue({
  state,
  value,
  group,
  options,
  count = 1,
}: {
  state: SizeState;
  value: number;
  group: { key: string; labels: string[] } | null;
  options: ResolvedOptions;
  count?: number;
}): void {
  addValue(state.global, value, options, count);
  if (group === null) return;
  let entry = state.groups.get(group.key);
  if (entry === undefined) {
    if (state.hashCeiling !== NO_CEILING && keyHash(group.key) >= state.hashCeiling) {
      state.evicted += count;
      return;
    }
    entry = { labels: group.labels, distribution: emptyDistribution() };
    state.groups.set(group.key, entry);
    if (state.groups.size > 2 * trackedGroups(options)) {
      boundGroups(state, trackedGroups(options));
      // The new group, still empty, may be the one cut: its records are evicted all the same.
      if (!state.groups.has(group.key)) {
        state.evicted += count;
        return;
      }
    }
  }
  addValue(entry.distribution, value, options, count);
}

/** A new state holding both; neither argument is changed. */
export function mergeStates(a: SizeState, b: SizeState, options: ResolvedOptions): SizeState {
  const limits: DistributionLimits = options;
  const groups = new Map<string, Group>();
  for (const [key, group] of a.groups) groups.set(key, group);
  for (const [key, group] of b.groups) {
    const other = groups.get(key);
    const distribution = other === undefined ? emptyDistribution() : other.distribution;
    groups.set(key, {
      labels: group.labels,
      distribution: mergeDistributions(distribution, group.distribution, limits),
    });
  }
  // Groups only in `a` are still a's objects; copy them so later fitting on the result leaves `a` alone.
  for (const [key, group] of groups) {
    if (a.groups.get(key) === group) {
      groups.set(key, {
        labels: group.labels,
        distribution: mergeDistributions(group.distribution, emptyDistribution(), limits),
      });
    }
  }
  const merged: SizeState = {
    global: mergeDistributions(a.global, b.global, limits),
    groups,
    missing: a.missing + b.missing,
    evicted: a.evicted + b.evicted,
    hashCeiling: Math.min(a.hashCeiling, b.hashCeiling),
    prepared: null,
  };
  boundGroups(merged, 2 * trackedGroups(options));
  return merged;
}

/** Derives every profile the scorer needs. */
export function prepareState(state: SizeState, options: ResolvedOptions): Prepared {
  boundGroups(state, trackedGroups(options));
  // Without grouping the global distribution is the one the user asked for; as a fallback it is a mixture.
  const globalScale = options.groupBy.length > 0 && options.fallbackScale === "log" ? "log" : "linear";
  const global =
    state.global.count >= options.minGroupSize
      ? profileOf(state.global, options, globalScale, options.groupBy.length === 0)
      : null;
  const groups = new Map<string, Profile>();
  for (const [key, group] of largestGroups(state, options.maxGroups)) {
    if (group.distribution.count >= options.minGroupSize)
      groups.set(key, profileOf(group.distribution, options));
  }
  state.prepared = { global, groups };
  return state.prepared;
}
