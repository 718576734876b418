export {
  countLines,
  fitWithDuckDB,
  type DuckDBCountOptions,
  type DuckDBCounts,
  type DuckDBFit,
  type DuckDBFitOptions,
} from "./fit.js";
export { HEAD_PATTERN, STATUS_PATTERN, splitLinesSql, type SqlLayout } from "./clf-sql.js";
export { sqlNumber, sqlString } from "./sql-text.js";
