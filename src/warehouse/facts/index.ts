export { FactLoadError } from "./fact-load-error.js";
export type { FactQuarantineRun } from "./fact-quarantine.js";
export { type FactLoadResult, type LoadFactsOptions, loadFacts } from "./load-facts.js";
export type { LoadValue } from "./load-values.js";
export { type RepairResult, repairUnknownMembers } from "./repair-unknown-members.js";
export { dateKeySql, timeKeySql, utcTimestampSql } from "./time-keys-sql.js";
