import { classMask } from "./char-classes.js";
import { parseQuery } from "./decode.js";
import {
  addClient,
  admit,
  emptyParam,
  emptyTemplate,
  observeValue,
  type Caps,
  type ParamsState,
} from "./state.js";

/** One query string to learn from, as `observe` reads it from a record or a fold from a count row. */
export interface QueryEvidence {
  /** The part of the path after its first `?`. */
  query: string;
  /** The path template before its `?` (see `endpointOf` in params.ts). */
  endpoint: string;
  client: string | null;
  /** How many requests carried this query from this client: 1 when observing. */
  times: number;
}

/** Adds the evidence of `times` requests with this query string to the template's parameter models. */
export function learnQuery(
  state: ParamsState,
  caps: Caps,
  { query, endpoint, client, times }: QueryEvidence,
): void {
  state.requests += times;
  const template = admit(state.templates, endpoint, caps.maxTemplates, emptyTemplate);
  if (template === null) return;
  template.requests += times;
  const pairs = parseQuery(query);
  // Presence counts a name once per request; a set only when the query has several pairs.
  const repeats = pairs.length > 1;
  const seen = repeats ? new Set<string>() : null;
  for (let i = 0; i < pairs.length; i++) {
    const { name, value } = pairs[i]!;
    const param = admit(template.params, name, caps.maxParameters, emptyParam);
    if (param === null) continue;
    if (!repeats || !seen!.has(name)) {
      seen?.add(name);
      param.present += times;
      param.nameClients = addClient(param.nameClients, client, times);
    }
    observeValue(param, { value, mask: classMask(value), maxTokens: caps.maxTokens, client, times });
  }
}
