import type { SqlDatabase } from "../../metadata/sql-database.js";
import type { DatasetPolicy } from "../policies/policy-types.js";

/**
 * The policy each dataset last landed with, as `recordPolicyState` keeps it
 * (`policy_state.definition`: the normalised policy's canonical JSON), by dataset name.
 */
export async function readStoredPolicies(db: SqlDatabase): Promise<DatasetPolicy[]> {
  const rows = await db.all<{ definition: string }>("SELECT definition FROM policy_state ORDER BY dataset");
  return rows.map((r) => JSON.parse(r.definition) as DatasetPolicy);
}
