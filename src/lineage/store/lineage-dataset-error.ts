import { WeirError } from "../../core/errors.js";

/**
 * A name `weir lineage` (or `resolveDataset`) could not turn into one dataset: no dataset
 * has it, or several do. `details.suggestions` holds the close matches, `details.matches`
 * the datasets an ambiguous name fits.
 */
export class LineageDatasetError extends WeirError {
  constructor(message: string, details: { text: string; suggestions?: string[]; matches?: string[] }) {
    super("LINEAGE_DATASET_UNKNOWN", message, { details });
  }
}
