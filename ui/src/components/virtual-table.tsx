import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useEffect, useRef } from "react";

export interface Column<Row> {
  key: string;
  header: string;
  /** A CSS grid track, e.g. "2fr" or "120px". */
  width: string;
  render: (row: Row) => ReactNode;
}

interface VirtualTableProps<Row> {
  label: string;
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string;
  rowHeight?: number;
  /** Asked for more rows when the user scrolls near the end (cursor pagination). */
  onEndReached?: () => void;
  hasMore?: boolean;
  loadingMore?: boolean;
}

/**
 * A table that keeps only the visible rows (plus a few) in the DOM, so 10k runs scroll
 * like 50. Rows have one fixed height; the body is its own scroll container.
 */
export function VirtualTable<Row>({
  label,
  columns,
  rows,
  rowKey,
  rowHeight = 34,
  onEndReached,
  hasMore = false,
  loadingMore = false,
}: VirtualTableProps<Row>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - 20) onEndReached?.();
  }, [hasMore, loadingMore, lastIndex, rows.length, onEndReached]);

  const template = columns.map((column) => column.width).join(" ");
  return (
    <section className="vtable" aria-label={label} data-row-count={rows.length}>
      <div className="vtable-row vtable-head" style={{ gridTemplateColumns: template }}>
        {columns.map((column) => (
          <div key={column.key}>{column.header}</div>
        ))}
      </div>
      <div className="vtable-body" ref={scrollRef} data-testid="vtable-body">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const row = rows[item.index] as Row;
            return (
              <div
                key={rowKey(row)}
                data-index={item.index}
                className="vtable-row"
                style={{
                  gridTemplateColumns: template,
                  height: item.size,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                {columns.map((column) => (
                  <div key={column.key}>{column.render(row)}</div>
                ))}
              </div>
            );
          })}
        </div>
        {rows.length === 0 && !loadingMore && <p className="muted vtable-empty">Nothing to show.</p>}
      </div>
      {loadingMore && <div className="vtable-status muted">Loading more…</div>}
    </section>
  );
}
