export {
  countLines,
  fitScan,
  fitWithDuckDB,
  type DuckDBCountOptions,
  type DuckDBFit,
  type DuckDBFitOptions,
} from "./fit.js";
export { openScan, type DuckDBCounts, type DuckDBScan, type DuckDBScanOptions } from "./scan.js";
export { isParquet, parquetLines } from "./inputs.js";
export type { DuckDBResources } from "./instance.js";
export { HEAD_PATTERN, STATUS_PATTERN, splitLinesSql, type SqlLayout } from "./clf-sql.js";
export { sqlIdentifier, sqlNumber, sqlString } from "./sql-text.js";
