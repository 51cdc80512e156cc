/**
 * The queue's connection string: the metadata URL without weir's `?schema=` parameter
 * (the queue has its own schema; node-postgres would pass an unknown parameter on).
 */
export function queueConnection(metadataUrl: string): string {
  const url = new URL(metadataUrl);
  url.searchParams.delete("schema");
  return url.toString();
}
