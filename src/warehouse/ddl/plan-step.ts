import type { Engine, EngineKind } from "../../engines/engine.js";

export type PlanStepKind =
  | "create-schema"
  | "create-table"
  | "add-column"
  | "create-index"
  | "replace-index"
  | "drop-index"
  | "create-materialized-view"
  | "refresh-materialized-view"
  | "drop-column"
  | "change-type"
  | "change-nullability"
  | "change-primary-key"
  | "change-partitioning"
  | "insert-rows";

/**
 * One change `apply` makes: the statements it runs, in order (with their bound values in
 * `params`, one array per statement, when any), whether it can lose data or refuse writes
 * that worked before (`destructive`: refused unless allowed), and why it is needed.
 */
export interface PlanStep {
  /** The table (or schema, for `create-schema`) the step changes, as `schema.name`. */
  table: string;
  kind: PlanStepKind;
  sql: string[];
  params?: (readonly unknown[])[];
  destructive: boolean;
  reason: string;
  /**
   * Steps that are more than their statements (a schema created race-free, a table rebuilt
   * around its rows' partitions) run this instead. Not part of the JSON form.
   */
  run?: (engine: Engine) => Promise<void>;
}

export interface WarehousePlan {
  /** The warehouse model's name. */
  warehouse: string;
  engine: EngineKind;
  steps: PlanStep[];
  /** Differences `apply` does not change, with what to do about them. */
  notices: string[];
}
