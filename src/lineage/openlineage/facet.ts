import type { FacetKey } from "./facet-schema-urls.js";
import { FACET_SCHEMA_URLS } from "./facet-schema-urls.js";
import { WEIR_PRODUCER } from "./producer.js";
import type { BaseFacet } from "./types.js";

/**
 * A facet of the kind named by `key`: its fields plus `_producer` (weir) and `_schemaURL`
 * (the facet's schema at the version weir follows). Optional fields left undefined are
 * dropped, so the JSON holds only what was known.
 */
export function facet<T extends object>(key: FacetKey, fields: T): BaseFacet & T {
  return { _producer: WEIR_PRODUCER, _schemaURL: FACET_SCHEMA_URLS[key], ...withoutUndefined(fields) };
}

/** A shallow copy without the keys whose value is undefined (JSON would drop them anyway; tests compare objects). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
