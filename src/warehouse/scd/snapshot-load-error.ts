import { WarehouseLoadError } from "../warehouse-load-error.js";

/** A snapshot that cannot be loaded into a dimension: names the table, dates, keys or columns. */
export class SnapshotLoadError extends WarehouseLoadError {}
