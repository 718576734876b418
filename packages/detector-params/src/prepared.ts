import { CLASS_COUNT } from "./char-classes.js";
import {
  EXACT_LENGTHS,
  LENGTH_BUCKETS,
  bucketStart,
  lengthBucket,
  type CappedMap,
  type ClientCounts,
  type ParamModel,
  type ParamsState,
  type TemplateModel,
} from "./state.js";

/** A parameter's model with what scoring derives from it once. */
export interface PreparedParam {
  name: string;
  model: ParamModel;
  mean: number;
  variance: number;
  /** tail[b] = values whose length bucket is ≥ b. */
  tail: number[];
  minLength: number;
  /** Largest length seen, exact below {@link EXACT_LENGTHS}; otherwise the start of its bucket. */
  maxLength: number;
  /** Classes seen in at least one value. */
  seenMask: number;
  /** Classes whose smoothed share, without their top client, is below the threshold (see {@link robustShare}). */
  rareMask: number;
  /** Per class, the client that sent most of its values when at most `CLIENT_SAMPLE` clients did, else null. */
  topClients: Array<TopClients | null>;
  /** The same for the name's presence. */
  topNameClient: TopClients | null;
  /** True when every baseline value is a whole or decimal number. */
  numeric: boolean;
  /** Tokens seen exactly once (Good–Turing's N₁), for the chance of a new token. */
  tokenSingletons: number;
  /** The baseline as findings describe it, made on first use (see `describeBaseline`). */
  description: string | null;
}

/** A template's prepared parameters. */
export interface PreparedTemplate {
  template: string;
  requests: number;
  params: Map<string, PreparedParam>;
  /** The model's capped map, to tell an unseen name from one the cap left out. */
  capped: CappedMap<ParamModel>;
  /**
   * Names carried by exactly one request or by one client only (Good–Turing's N₁ for names, counted so
   * that one client's repeats do not hide how often a name is new).
   */
  nameSingletons: number;
  /** Parameters whose absence alone is below the threshold: P(absent) = (R − c + 1) / (R + 2). */
  expected: PreparedParam[];
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;

/** Clients left out of a class's or name's count when no more than `CLIENT_SAMPLE` clients used it. */
export const LEFT_OUT_CLIENTS = 3;

/** The clients left out: the top one (ties: the smallest name), how many, and their count together. */
export interface TopClients {
  client: string;
  clients: number;
  count: number;
}

/**
 * The {@link LEFT_OUT_CLIENTS} clients with the largest counts, or null when the counts are null (too many
 * clients to leave any out) or empty.
 */
export function topClient(counts: ClientCounts | null): TopClients | null {
  if (counts === null || counts.size === 0) return null;
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, LEFT_OUT_CLIENTS);
  return { client: sorted[0]![0], clients: sorted.length, count: sorted.reduce((sum, [, c]) => sum + c, 0) };
}

/**
 * The smoothed share of values with a class, (k + 1) / (n + 2), after leaving out the client that sent
 * most of them when only a few clients did: a tool's hundreds of payloads are in a baseline fitted on the
 * log being scored, and must not make their own characters look ordinary. A class used by more than
 * `CLIENT_SAMPLE` clients is judged on all values.
 */
export function robustShare(k: number, n: number, top: { count: number } | null): number {
  const left = top === null ? 0 : top.count;
  return (k - left + 1) / (n - left + 2);
}

function prepareParam(name: string, model: ParamModel, threshold: number): PreparedParam {
  const n = model.values;
  const mean = n === 0 ? 0 : model.lengthSum / n;
  const variance = n === 0 ? 0 : Math.max(0, model.lengthSquares / n - mean * mean);
  const tail = new Array<number>(LENGTH_BUCKETS + 1).fill(0);
  for (let b = LENGTH_BUCKETS - 1; b >= 0; b--) tail[b] = tail[b + 1]! + model.lengths[b]!;
  let minBucket = -1;
  let maxBucket = -1;
  model.lengths.forEach((count, b) => {
    if (count === 0) return;
    if (minBucket < 0) minBucket = b;
    maxBucket = b;
  });
  let seenMask = 0;
  let rareMask = 0;
  const topClients = model.classClients.map(topClient);
  for (let c = 0; c < CLASS_COUNT; c++) {
    const k = model.classes[c]!;
    if (k > 0) seenMask |= 1 << c;
    // A class more than CLIENT_SAMPLE clients used is part of the parameter's vocabulary, however rare
    // among its values: free text (a quote in a search) must not flood.
    if (model.classClients[c] !== null && robustShare(k, n, topClients[c]!) < threshold) rareMask |= 1 << c;
  }
  let tokenSingletons = 0;
  let numeric = model.tokens !== null && model.tokens.size > 0;
  for (const [token, count] of model.tokens ?? []) {
    if (count === 1) tokenSingletons++;
    if (!NUMBER.test(token)) numeric = false;
  }
  return {
    name,
    model,
    mean,
    variance,
    tail,
    minLength: Math.max(0, bucketStart(minBucket)),
    maxLength: Math.max(0, bucketStart(maxBucket)),
    seenMask,
    rareMask,
    topClients,
    topNameClient: topClient(model.nameClients),
    numeric,
    tokenSingletons,
    description: null,
  };
}

function prepareTemplate(template: string, model: TemplateModel, threshold: number): PreparedTemplate {
  const params = new Map<string, PreparedParam>();
  let nameSingletons = 0;
  const expected: PreparedParam[] = [];
  const R = model.requests;
  for (const [name, { model: param }] of model.params.entries) {
    const prepared = prepareParam(name, param, threshold);
    params.set(name, prepared);
    if (oneSource(prepared)) nameSingletons++;
    if ((R - param.present + 1) / (R + 2) < threshold) expected.push(prepared);
  }
  return { template, requests: R, params, capped: model.params, nameSingletons, expected };
}

/** True when one request or one client alone carried the name. */
export function oneSource(param: PreparedParam): boolean {
  const top = param.topNameClient;
  return (
    param.model.present === 1 || (top !== null && top.clients === 1 && top.count === param.model.present)
  );
}

/** Request targets whose query was judged ordinary, remembered; past it the memory starts again. */
export const CLEAN_MEMORY = 10_000;
/** Longer targets are not remembered, so the memory holds at most ~5 MB of text. */
export const CLEAN_TARGET_LENGTH = 256;

/** Everything scoring needs, derived from a state. */
export interface PreparedState {
  templates: Map<string, PreparedTemplate>;
  /**
   * Request targets already judged ordinary: a verdict depends on the target alone, and real logs repeat
   * the same few queries (`?page=2`), so these skip parsing and judging.
   */
  clean: Set<string>;
}

export function prepareState(state: ParamsState, threshold: number): PreparedState {
  const templates = new Map<string, PreparedTemplate>();
  for (const [template, { model }] of state.templates.entries) {
    templates.set(template, prepareTemplate(template, model, threshold));
  }
  return { templates, clean: new Set() };
}

/** Values at least `length` long, from the histogram: exact below 64, an upper bound above. */
export function valuesAtLeast(param: PreparedParam, length: number): number {
  return param.tail[lengthBucket(length)]!;
}

export { EXACT_LENGTHS };
