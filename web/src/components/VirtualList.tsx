// A list of fixed-height rows that renders only the rows in view (plus a few), so 100,000
// entries cost what 40 do. Keyboard: the list is focusable; arrows, PageUp/PageDown, Home/End
// scroll it. When `follow` is on and the list was scrolled to the end, it stays at the end as
// rows are added (a live log).

import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import './VirtualList.css';

export function VirtualList({
  count,
  rowHeight,
  row,
  follow = true,
  label,
  testId,
  selected,
}: {
  count: number;
  rowHeight: number;
  row: (i: number) => ReactNode;
  follow?: boolean;
  label: string;
  testId?: string;
  /** A row to mark selected (aria-selected) and scroll into view when it changes. */
  selected?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(400);
  const atEnd = useRef(true);

  useLayoutEffect(() => {
    const el = box.current!;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = box.current!;
    if (follow && atEnd.current) {
      // computed, not read back: reading scrollTop/scrollHeight here forces a layout in every update
      const end = Math.max(0, count * rowHeight - height);
      el.scrollTop = end;
      setTop(end);
    }
  }, [count, follow, rowHeight, height]);

  useLayoutEffect(() => {
    const el = box.current!;
    if (selected === undefined || selected < 0) return;
    const y = selected * rowHeight;
    if (y < el.scrollTop || y + rowHeight > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, y - el.clientHeight / 2);
      atEnd.current = false;
      setTop(el.scrollTop);
    }
  }, [selected, rowHeight]);

  const first = Math.max(0, Math.floor(top / rowHeight) - 5);
  const last = Math.min(count, Math.ceil((top + height) / rowHeight) + 5);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++)
    rows.push(
      <div key={i} className={i === selected ? 'vrow selected' : 'vrow'} style={{ top: i * rowHeight, height: rowHeight }} role="row" aria-rowindex={i + 1} aria-selected={i === selected ? true : undefined}>
        {row(i)}
      </div>,
    );

  const onKey = (e: KeyboardEvent) => {
    const el = box.current!;
    const page = el.clientHeight - rowHeight;
    const moves: Record<string, number> = { ArrowDown: rowHeight, ArrowUp: -rowHeight, PageDown: page, PageUp: -page, End: Infinity, Home: -Infinity };
    if (!(e.key in moves)) return;
    e.preventDefault();
    const d = moves[e.key];
    el.scrollTop = d === Infinity ? el.scrollHeight : d === -Infinity ? 0 : el.scrollTop + d;
  };

  return (
    <div
      ref={box}
      className="vlist"
      tabIndex={0}
      role="grid"
      aria-label={label}
      aria-rowcount={count}
      data-testid={testId}
      data-count={count}
      onKeyDown={onKey}
      onScroll={(e) => {
        const el = e.currentTarget;
        atEnd.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
        setTop(el.scrollTop);
      }}
    >
      <div style={{ height: count * rowHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
}
