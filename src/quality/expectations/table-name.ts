import type { TableRef } from "../../core/types.js";

/**
 * A table named in an expectation's arguments (GX's `other_table_name`): `name` or
 * `schema.name`, each part bare or in double quotes (`"my schema"."orders.2024"`, `""` for a
 * quote inside). A bare part is a SQL identifier — letters, digits, `_` and `$`, not
 * starting with a digit — so nothing that could end the identifier reaches SQL unquoted.
 * weir quotes both parts, so a bare name is matched exactly (case included).
 *
 * @example
 * parseTableName('sales."Orders 2024"'); // { schema: "sales", name: "Orders 2024" }
 * parseTableName("orders; DROP TABLE x"); // throws: '";" at character 7: …'
 */
export function parseTableName(text: string): TableRef {
  const parts: string[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what}: expected a table name such as orders, sales.orders or "my schema"."my table"`);
  };
  for (;;) {
    if (text[i] === '"') {
      let part = "";
      for (i++; ; i++) {
        if (i >= text.length)
          fail(`the quoted name starting at character ${text.lastIndexOf('"', i) + 1} is never closed`);
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i++;
        }
        part += text[i];
      }
      i++;
      if (part === "") fail("an empty quoted name");
      parts.push(part);
    } else {
      const bare = /^[\p{L}_][\p{L}\p{N}_$]*/u.exec(text.slice(i))?.[0];
      if (bare === undefined) {
        if (i >= text.length)
          fail(parts.length === 0 ? "no name" : `nothing after the "." at character ${i}`);
        fail(`${JSON.stringify(text[i])} at character ${i + 1}`);
      }
      parts.push(bare!);
      i += bare!.length;
    }
    if (i >= text.length) break;
    if (text[i] !== ".") fail(`${JSON.stringify(text[i])} at character ${i + 1}`);
    i++;
  }
  if (parts.length > 2) fail(`${parts.length} parts`);
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}
