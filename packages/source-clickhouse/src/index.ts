export { chBytes, chIdentifier, chNumber, chString } from "./escape.js";
export { TABLE_FIELDS } from "./table-fields.js";
export { countInClickHouse, countQuerySql, fitInClickHouse, type ClickHouseCounts } from "./fit.js";
export type { RelationOptions } from "./relation.js";
export {
  countLinesInClickHouse,
  fitLinesInClickHouse,
  type ClickHouseLineCounts,
  type ClickHouseLineFit,
} from "./lines.js";
export { planLineSplit, type LineSplitPlan } from "./line-plan.js";
export type { SqlLayout } from "./lines-sql.js";
export {
  PASSWORD_ENVS,
  clientOptions,
  connectionError,
  describeTarget,
  isClickHouseUrl,
  maskClickHouseUrl,
  parseClickHouseUrl,
  type ClickHouseTarget,
} from "./url.js";
export { connectClickHouse, isCompressionRefused } from "./connect.js";
export {
  checkQueryOptions,
  queryRelation,
  querySource,
  tableRelation,
  type DescribedColumn,
  type Relation,
} from "./query.js";
export {
  readClickHouse,
  type ClickHouseRecordStream,
  type LineSelection,
  type ReadClickHouseOptions,
} from "./read.js";
export {
  MAX_FLAGGED,
  candidateCondition,
  type CandidateCondition,
  type CandidateSource,
} from "./candidates.js";
export { readClickHouseCandidates } from "./read-candidates.js";
