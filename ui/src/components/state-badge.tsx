/** A run, task or attempt state as a colored pill; `data-state` is what tests and CSS read. */
export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`badge state-${state}`} data-state={state}>
      {state.replaceAll("_", " ")}
    </span>
  );
}
