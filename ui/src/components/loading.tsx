/** Shown while a page's first answer is on its way. */
export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}
