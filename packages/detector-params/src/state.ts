import { BoundedCounter } from "@oddity/core";
import { CLASS_COUNT } from "./char-classes.js";

/** Version of the saved state; bumped whenever its shape changes. */
export const STATE_VERSION = 1;

/** Lengths up to this are counted exactly; longer ones by powers of two. */
export const EXACT_LENGTHS = 64;
/** Lengths are clipped here for the mean and variance, so the sums stay exact integers. */
export const MAX_LENGTH = 8192;
/** Buckets of the length histogram: 0..63 exactly, then [64, 128), [128, 256) ... [4096, 8192), ≥ 8192. */
export const LENGTH_BUCKETS = EXACT_LENGTHS + 8;
/** Values longer than this never count as enumeration tokens (the parameter is then free text). */
export const MAX_TOKEN_LENGTH = 64;
/** Distinct clients remembered per class and per name; past it the class or name is common across clients. */
export const CLIENT_SAMPLE = 8;
/** Selection hash of a map that never overflowed: every 32-bit hash is below it. */
export const NO_CEILING = 2 ** 32;

/** The bucket a value length falls in. */
export function lengthBucket(length: number): number {
  if (length < EXACT_LENGTHS) return length;
  if (length >= MAX_LENGTH) return LENGTH_BUCKETS - 1;
  return EXACT_LENGTHS + Math.floor(Math.log2(length)) - 6;
}

/** The smallest length bucket `b` holds. */
export function bucketStart(bucket: number): number {
  return bucket < EXACT_LENGTHS ? bucket : 2 ** (bucket - EXACT_LENGTHS + 6);
}

/** What the baseline says about one parameter of one template. */
export interface ParamModel {
  /** Requests of the template that carried the parameter (once per request, however often repeated). */
  present: number;
  /** Values seen (a repeated parameter gives several). */
  values: number;
  /** Sum and sum of squares of the value lengths (clipped at {@link MAX_LENGTH}), for mean and variance. */
  lengthSum: number;
  lengthSquares: number;
  /** Value counts per length bucket (see {@link lengthBucket}). */
  lengths: number[];
  /** Values containing each character class at least once (see `CHAR_CLASSES`). */
  classes: number[];
  /** Distinct values with counts while the parameter looks like an enumeration; null once it does not. */
  tokens: Map<string, number> | null;
  /**
   * Per class, the clients whose values had it, with counts, while at most {@link CLIENT_SAMPLE} did;
   * null once more did. Lets one client's many requests (a tool's payloads fill the baseline too) be left
   * out when judging: see `prepared.ts`.
   */
  classClients: Array<ClientCounts | null>;
  /** The clients whose requests carried the name, with counts, while at most {@link CLIENT_SAMPLE} did. */
  nameClients: ClientCounts | null;
}

/** Client → count, for at most {@link CLIENT_SAMPLE} clients. */
export type ClientCounts = ReadonlyMap<string, number>;

/**
 * No clients yet: one shared empty map, never written (every change makes a new map or writes one made
 * here), so the 17 client maps of a parameter cost nothing until a class is seen.
 */
export const NO_CLIENTS: ClientCounts = new Map<string, number>();

/**
 * Adds `times` occurrences by `client`; the counts become null (many clients) past {@link CLIENT_SAMPLE}
 * clients. An unknown client (a log without addresses) is not counted, so such a log has no clients to
 * leave out and no class is ever taken as used by many clients.
 */
export function addClient(
  counts: ClientCounts | null,
  client: string | null,
  times: number,
): ClientCounts | null {
  if (counts === null || client === null) return counts;
  const writable = counts === NO_CLIENTS ? new Map<string, number>() : (counts as Map<string, number>);
  writable.set(client, (writable.get(client) ?? 0) + times);
  return writable.size > CLIENT_SAMPLE ? null : writable;
}

function mergeClients(a: ClientCounts | null, b: ClientCounts | null): ClientCounts | null {
  if (a === null || b === null) return null;
  if (b.size === 0) return copyClients(a);
  const merged = new Map(a);
  for (const [client, count] of b) merged.set(client, (merged.get(client) ?? 0) + count);
  return merged.size > CLIENT_SAMPLE ? null : merged;
}

function copyClients(counts: ClientCounts | null): ClientCounts | null {
  return counts === null || counts.size === 0 ? (counts === null ? null : NO_CLIENTS) : new Map(counts);
}

/**
 * A map whose keys are capped by a bottom-k rule: the `cap` keys with the smallest selection hashes are
 * kept and any key hashing at or above `ceiling` is refused. So which keys survive depends on the set of
 * keys, never on arrival order or on how the baseline was split, and merging shards keeps every kept
 * key's counts complete.
 */
export interface CappedMap<T> {
  entries: Map<string, { hash: number; model: T }>;
  ceiling: number;
}

/** One path template's parameter models. */
export interface TemplateModel {
  /** Requests of this template that had a query string. */
  requests: number;
  params: CappedMap<ParamModel>;
}

/** What the params detector learns: parameter models per path template (the part before `?`). */
export interface ParamsState {
  /** Baseline requests with a query string, modelled or not. */
  requests: number;
  templates: CappedMap<TemplateModel>;
}

export function emptyCapped<T>(): CappedMap<T> {
  return { entries: new Map(), ceiling: NO_CEILING };
}

export function emptyState(): ParamsState {
  return { requests: 0, templates: emptyCapped() };
}

export function emptyParam(): ParamModel {
  return {
    present: 0,
    values: 0,
    lengthSum: 0,
    lengthSquares: 0,
    lengths: new Array<number>(LENGTH_BUCKETS).fill(0),
    classes: new Array<number>(CLASS_COUNT).fill(0),
    tokens: new Map(),
    classClients: new Array<ClientCounts | null>(CLASS_COUNT).fill(NO_CLIENTS),
    nameClients: NO_CLIENTS,
  };
}

export function emptyTemplate(): TemplateModel {
  return { requests: 0, params: emptyCapped() };
}

/** Drops every entry at or above the ceiling, then the highest-hashing ones until at most `cap` remain. */
function enforceCap<T>(map: CappedMap<T>, cap: number): void {
  for (const [key, entry] of map.entries) if (entry.hash >= map.ceiling) map.entries.delete(key);
  while (map.entries.size > cap) {
    let highest = -1;
    for (const entry of map.entries.values()) if (entry.hash > highest) highest = entry.hash;
    map.ceiling = highest;
    for (const [key, entry] of map.entries) if (entry.hash >= highest) map.entries.delete(key);
  }
}

/** The model kept for `key`, created when new and admitted by the cap; null when the cap refuses it. */
export function admit<T>(map: CappedMap<T>, key: string, cap: number, create: () => T): T | null {
  const found = map.entries.get(key);
  if (found !== undefined) return found.model;
  const hash = BoundedCounter.selectionHash(key);
  if (hash >= map.ceiling) return null;
  const model = create();
  map.entries.set(key, { hash, model });
  if (map.entries.size > cap) enforceCap(map, cap);
  return map.entries.get(key)?.model ?? null;
}

/** True when the map would have kept `key` had it been seen: it is either kept or known unseen. */
export function covers<T>(map: CappedMap<T>, key: string): boolean {
  return map.entries.has(key) || BoundedCounter.selectionHash(key) < map.ceiling;
}

function mergeCapped<T>(
  a: CappedMap<T>,
  b: CappedMap<T>,
  cap: number,
  mergeModels: (x: T, y: T) => T,
  copy: (x: T) => T,
): CappedMap<T> {
  const merged: CappedMap<T> = { entries: new Map(), ceiling: Math.min(a.ceiling, b.ceiling) };
  for (const [key, entry] of a.entries)
    merged.entries.set(key, { hash: entry.hash, model: copy(entry.model) });
  for (const [key, entry] of b.entries) {
    const mine = merged.entries.get(key);
    merged.entries.set(key, {
      hash: entry.hash,
      model: mine === undefined ? copy(entry.model) : mergeModels(mine.model, entry.model),
    });
  }
  enforceCap(merged, cap);
  return merged;
}

/**
 * Adds the evidence of `times` occurrences of one value of a parameter (more than one when folding
 * counts): every statistic is a sum, or a set that grows the same whatever the order of additions.
 */
export function observeValue(
  model: ParamModel,
  {
    value,
    mask,
    maxTokens,
    client,
    times,
  }: { value: string; mask: number; maxTokens: number; client: string | null; times: number },
): void {
  model.values += times;
  const length = value.length;
  const clipped = Math.min(length, MAX_LENGTH);
  model.lengthSum += clipped * times;
  model.lengthSquares += clipped * clipped * times;
  model.lengths[lengthBucket(length)]! += times;
  for (let c = 0; c < CLASS_COUNT; c++) {
    if ((mask & (1 << c)) === 0) continue;
    model.classes[c]! += times;
    model.classClients[c] = addClient(model.classClients[c]!, client, times);
  }
  const tokens = model.tokens;
  if (tokens === null) return;
  if (length > MAX_TOKEN_LENGTH) {
    model.tokens = null;
    return;
  }
  tokens.set(value, (tokens.get(value) ?? 0) + times);
  if (tokens.size > maxTokens) model.tokens = null;
}

function copyParam(p: ParamModel): ParamModel {
  return {
    ...p,
    lengths: [...p.lengths],
    classes: [...p.classes],
    tokens: p.tokens === null ? null : new Map(p.tokens),
    classClients: p.classClients.map(copyClients),
    nameClients: copyClients(p.nameClients),
  };
}

function mergeTokens(
  a: Map<string, number> | null,
  b: Map<string, number> | null,
  maxTokens: number,
): Map<string, number> | null {
  if (a === null || b === null) return null;
  const merged = new Map(a);
  for (const [value, count] of b) merged.set(value, (merged.get(value) ?? 0) + count);
  return merged.size > maxTokens ? null : merged;
}

function mergeParam(a: ParamModel, b: ParamModel, maxTokens: number): ParamModel {
  return {
    present: a.present + b.present,
    values: a.values + b.values,
    lengthSum: a.lengthSum + b.lengthSum,
    lengthSquares: a.lengthSquares + b.lengthSquares,
    lengths: a.lengths.map((n, i) => n + b.lengths[i]!),
    classes: a.classes.map((n, i) => n + b.classes[i]!),
    tokens: mergeTokens(a.tokens, b.tokens, maxTokens),
    classClients: a.classClients.map((c, i) => mergeClients(c, b.classClients[i]!)),
    nameClients: mergeClients(a.nameClients, b.nameClients),
  };
}

/** The caps a state is built under (from the options). */
export interface Caps {
  maxTemplates: number;
  maxParameters: number;
  maxTokens: number;
}

function copyTemplate(t: TemplateModel): TemplateModel {
  return {
    requests: t.requests,
    params: mergeCapped(t.params, emptyCapped(), Number.POSITIVE_INFINITY, (x) => x, copyParam),
  };
}

/** A new state with the evidence of both; associative, so shards merge to the whole fit. */
export function mergeStates(a: ParamsState, b: ParamsState, caps: Caps): ParamsState {
  return {
    requests: a.requests + b.requests,
    templates: mergeCapped(
      a.templates,
      b.templates,
      caps.maxTemplates,
      (x, y) => ({
        requests: x.requests + y.requests,
        params: mergeCapped(
          x.params,
          y.params,
          caps.maxParameters,
          (p, q) => mergeParam(p, q, caps.maxTokens),
          copyParam,
        ),
      }),
      copyTemplate,
    ),
  };
}
