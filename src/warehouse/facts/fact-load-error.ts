import { WarehouseLoadError } from "../warehouse-load-error.js";

/** A fact load or repair that cannot be applied: names the table and what is wrong. */
export class FactLoadError extends WarehouseLoadError {}
