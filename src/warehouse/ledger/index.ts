export { aggregateState, setAggregateState } from "./aggregate-ledger.js";
export { factLoadsSince, nextFactLoadSeq, recordFactLoad } from "./fact-ledger.js";
export {
  AGGREGATE_STATE,
  ensureLedger,
  FACT_LOADS,
  LEDGER_SCHEMA,
  ledgerTableName,
  SNAPSHOT_LOADS,
} from "./ledger-tables.js";
export { latestSnapshot, recordSnapshot, type SnapshotRecord, snapshotAt } from "./snapshot-ledger.js";
