import { rarity } from "./rarity.js";

export { rarity };
export default rarity;
export { computeCut, type FieldCut, type LimitKind, type OneOffs } from "./cutoff.js";
export {
  DEFAULT_BUDGET,
  DEFAULT_MIN_COUNT,
  DEFAULT_CLIENT,
  DEFAULT_ONE_OFF_CLIENTS,
  DEFAULT_FIELDS,
  DEFAULT_MAX_DISTINCT,
  DEFAULT_SMOOTHING,
  rarityOptionsSchema,
  resolveFields,
  type FieldRule,
  type RarityOptions,
  type RarityOptionsInput,
} from "./options.js";
export { STATE_VERSION, type FieldCounts, type RarityState } from "./state.js";
export { CLIENT_SAMPLE_SIZE, ClientSample } from "./client-sample.js";
