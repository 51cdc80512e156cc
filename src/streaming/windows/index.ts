export { windowFields, windowRowsToBatch } from "./window-batch.js";
export { compareWindowOrder, type WindowRow } from "./window-row.js";
export {
  hop,
  MAX_WINDOWS_PER_EVENT,
  session,
  tumbling,
  validateWindowSpec,
  type WindowSpec,
} from "./window-spec.js";
export { WindowState } from "./window-state.js";
