import { params } from "./params.js";

export { params };
export default params;
export { CHAR_CLASSES, classMask } from "./char-classes.js";
export { decodeQueryComponent, parseQuery, type QueryPair } from "./decode.js";
export {
  DEFAULT_MAX_FINDINGS,
  DEFAULT_MAX_PARAMETERS,
  DEFAULT_MAX_TEMPLATES,
  DEFAULT_MAX_TOKENS,
  DEFAULT_MIN_SUPPORT,
  DEFAULT_THRESHOLD,
  paramsOptionsSchema,
  type ParamsOptions,
  type ParamsOptionsInput,
} from "./options.js";
export { STATE_VERSION, type ParamModel, type ParamsState, type TemplateModel } from "./state.js";
