import { BoundedCounter, countSchema, invalidState, parseState, positiveCountSchema, z } from "@oddity/core";
import { CLASS_COUNT } from "./char-classes.js";
import {
  LENGTH_BUCKETS,
  MAX_LENGTH,
  MAX_TOKEN_LENGTH,
  NO_CEILING,
  STATE_VERSION,
  CLIENT_SAMPLE,
  NO_CLIENTS,
  type CappedMap,
  type ClientCounts,
  type Caps,
  type ParamModel,
  type ParamsState,
  type TemplateModel,
} from "./state.js";

const byKey = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function cappedToJSON<T>(map: CappedMap<T>, write: (model: T) => unknown) {
  return {
    ceiling: map.ceiling,
    entries: [...map.entries].map(([key, { model }]) => [key, write(model)] as [string, unknown]).sort(byKey),
  };
}

const clientsToJSON = (counts: ClientCounts | null) => (counts === null ? null : [...counts].sort(byKey));

function paramToJSON(p: ParamModel) {
  return {
    present: p.present,
    values: p.values,
    lengthSum: p.lengthSum,
    lengthSquares: p.lengthSquares,
    lengths: p.lengths.flatMap((count, bucket) => (count === 0 ? [] : [[bucket, count]])),
    classes: p.classes,
    tokens: p.tokens === null ? null : [...p.tokens].sort(byKey),
    classClients: p.classClients.map(clientsToJSON),
    nameClients: clientsToJSON(p.nameClients),
  };
}

/** The saved form: `{ version, requests, templates: { ceiling, entries: [[template, {...}]] } }`, keys sorted. */
export function stateToJSON(state: ParamsState): unknown {
  return {
    version: STATE_VERSION,
    requests: state.requests,
    templates: cappedToJSON(state.templates, (t: TemplateModel) => ({
      requests: t.requests,
      params: cappedToJSON(t.params, paramToJSON),
    })),
  };
}

const ceilingSchema = z.number().int().min(0).max(NO_CEILING);
const capped = <T extends z.ZodType>(model: T) =>
  z.strictObject({ ceiling: ceilingSchema, entries: z.array(z.tuple([z.string(), model])) });

const clientsSchema = z
  .array(z.tuple([z.string(), positiveCountSchema]))
  .max(CLIENT_SAMPLE)
  .nullable();

const paramSchema = z.strictObject({
  present: countSchema,
  values: countSchema,
  lengthSum: countSchema,
  lengthSquares: countSchema,
  lengths: z
    .array(
      z.tuple([
        z
          .number()
          .int()
          .min(0)
          .max(LENGTH_BUCKETS - 1),
        countSchema,
      ]),
    )
    .max(LENGTH_BUCKETS),
  classes: z.array(countSchema).length(CLASS_COUNT),
  tokens: z.array(z.tuple([z.string().max(MAX_TOKEN_LENGTH), countSchema])).nullable(),
  classClients: z.array(clientsSchema).length(CLASS_COUNT),
  nameClients: clientsSchema,
});

const stateSchema = z.strictObject({
  version: z.literal(STATE_VERSION, {
    error: `expected version ${STATE_VERSION}: the model was saved by another version of the params detector; refit it`,
  }),
  requests: countSchema,
  templates: capped(z.strictObject({ requests: countSchema, params: capped(paramSchema) })),
});

function readCapped<S, T>(
  saved: { ceiling: number; entries: Array<[string, S]> },
  { where, cap, what }: { where: string; cap: number; what: string },
  read: (model: S, where: string) => T,
): CappedMap<T> {
  if (saved.entries.length > cap)
    invalidState(`${where}.entries`, `holds ${saved.entries.length} ${what} but the options allow ${cap}`);
  const map: CappedMap<T> = { entries: new Map(), ceiling: saved.ceiling };
  saved.entries.forEach(([key, model], i) => {
    const at = `${where}.entries[${i}]`;
    const hash = BoundedCounter.selectionHash(key);
    if (hash >= saved.ceiling)
      invalidState(`${at}[0]`, `hashes at or above the ceiling, so it cannot be kept`);
    if (map.entries.has(key)) invalidState(`${at}[0]`, `${JSON.stringify(key)} is listed twice`);
    map.entries.set(key, { hash, model: read(model, `${at}[1]`) });
  });
  return map;
}

function readParam(
  saved: z.output<typeof paramSchema>,
  where: string,
  caps: Caps,
  requests: number,
): ParamModel {
  const n = saved.values;
  if (saved.present > requests)
    invalidState(`${where}.present`, `is ${saved.present} but the template has ${requests} requests`);
  if (saved.present > n)
    invalidState(`${where}.present`, `is ${saved.present} but only ${n} values were counted`);
  const lengths = new Array<number>(LENGTH_BUCKETS).fill(0);
  for (const [bucket, count] of saved.lengths) lengths[bucket]! += count;
  if (lengths.reduce((a, b) => a + b, 0) !== n)
    invalidState(`${where}.lengths`, `do not add up to the ${n} values`);
  if (saved.lengthSum > n * MAX_LENGTH)
    invalidState(`${where}.lengthSum`, `is more than ${MAX_LENGTH} per value`);
  saved.classes.forEach((k, c) => {
    if (k > n) invalidState(`${where}.classes[${c}]`, `is ${k} but only ${n} values were counted`);
  });
  let tokens: Map<string, number> | null = null;
  if (saved.tokens !== null) {
    tokens = new Map(saved.tokens);
    if (tokens.size !== saved.tokens.length) invalidState(`${where}.tokens`, "list a value twice");
    if (tokens.size > caps.maxTokens)
      invalidState(`${where}.tokens`, `hold ${tokens.size} values but the options allow ${caps.maxTokens}`);
    if (saved.tokens.reduce((a, [, c]) => a + c, 0) !== n)
      invalidState(`${where}.tokens`, `do not add up to the ${n} values`);
  }
  const readClients = (
    list: Array<[string, number]> | null,
    total: number,
    at: string,
  ): ClientCounts | null => {
    if (list === null) return null;
    if (list.length === 0) return NO_CLIENTS;
    const counts = new Map(list);
    if (counts.size !== list.length) invalidState(at, "list a client twice");
    if (list.reduce((a, [, c]) => a + c, 0) > total) invalidState(at, `add up to more than ${total}`);
    return counts;
  };
  return {
    ...saved,
    lengths,
    classes: [...saved.classes],
    tokens,
    classClients: saved.classClients.map((list, c) =>
      readClients(list, saved.classes[c]!, `${where}.classClients[${c}]`),
    ),
    nameClients: readClients(saved.nameClients, saved.present, `${where}.nameClients`),
  };
}

/** Reads a saved state under these caps; throws a `ModelError` naming the key path of any problem. */
export function stateFromJSON(json: unknown, caps: Caps): ParamsState {
  const data = parseState(stateSchema, json);
  let modelled = 0;
  const templates = readCapped(
    data.templates,
    { where: "state.templates", cap: caps.maxTemplates, what: "templates" },
    (t, where): TemplateModel => {
      modelled += t.requests;
      return {
        requests: t.requests,
        params: readCapped(
          t.params,
          { where: `${where}.params`, cap: caps.maxParameters, what: "parameters" },
          (p, at) => readParam(p, at, caps, t.requests),
        ),
      };
    },
  );
  if (modelled > data.requests)
    invalidState("state.requests", `is ${data.requests} but the templates hold ${modelled} requests`);
  return { requests: data.requests, templates };
}
