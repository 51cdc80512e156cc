import { facet } from "./facet.js";
import type { OutputStatisticsOutputDatasetFacet } from "./types.js";

/** The `outputStatistics` output facet: rows, bytes and files the run wrote to the dataset. */
export function outputStatisticsFacet(stats: {
  rowCount?: number;
  size?: number;
  fileCount?: number;
}): OutputStatisticsOutputDatasetFacet {
  return facet("outputStatistics", {
    rowCount: stats.rowCount,
    size: stats.size,
    fileCount: stats.fileCount,
  });
}
