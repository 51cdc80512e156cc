/**
 * A process that appends to the audit log of the metadata store at argv[2] (a SQLite path
 * or a postgres:// URL with ?schema=), `rounds` entries on each of `lanes` concurrent lanes,
 * so tests can race real processes on one chain. Exits 0 when every append succeeded,
 * else prints the error and exits 1.
 *
 * node --import tsx audit-append-worker.ts <store> <worker id> <lanes> <rounds>
 */
import { AuditLog } from "../../src/governance/audit/audit-log.js";
import { storeDatabase } from "../../src/governance/audit/store-database.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";

const [url, worker, lanes, rounds] = process.argv.slice(2) as [string, string, string, string];
const store = await openMetadataStore(url);
try {
  const audit = new AuditLog(storeDatabase(store), { actor: `worker-${worker}` });
  await Promise.all(
    Array.from({ length: Number(lanes) }, async (_, lane) => {
      for (let round = 0; round < Number(rounds); round++) {
        await audit.append({
          action: "stress.append",
          rows: round,
          details: { worker: Number(worker), lane },
        });
      }
    }),
  );
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await store.close();
}
