import { targets } from "./targets.js";

export { targets };
export default targets;
export {
  DEFAULT_MAX_PAIRS,
  DEFAULT_MIN_CLIENTS,
  targetsOptionsSchema,
  type TargetsOptions,
  type TargetsOptionsInput,
} from "./options.js";
export { STATE_VERSION, type TargetsState } from "./state.js";
