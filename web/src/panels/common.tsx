// Small pieces the panels share: a table of kernel rows, the "not available" note, a pid picker.

import type { ReactNode } from 'react';
import { cell } from '../kernelViews';
import type { IntroResult } from '../worker/protocol';
import { selectPid } from '../selection';

/** Renders children with the answer's JSON, or says why there is none. */
export function IntroGuard<T>({ result, what, children }: { result: IntroResult<T> | undefined; what: string; children: (json: T) => ReactNode }) {
  if (result === undefined) return <p className="dim">asking the kernel for {what}…</p>;
  if (!result.ok)
    return (
      <p className="dim" data-testid="intro-missing">
        {result.error.startsWith('kernel introspection not available') ? 'kernel introspection not available' : result.error}
        {result.error.startsWith('kernel introspection not available') && (
          <>
            {' '}
            — this kernel build does not export <code>ki_json</code>, so {what} cannot be shown.
          </>
        )}
      </p>
    );
  return <>{children(result.json)}</>;
}

/** A table's head row: one column heading per name. */
export function ColumnHeads({ names }: { names: readonly string[] }) {
  return (
    <thead>
      <tr>
        {names.map((n) => (
          <th key={n} scope="col">
            {n}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/**
 * A table of records. `columns` are fields of the record type (checked by the type checker against
 * the generated views); a column no row has (an optional field) is left out.
 */
export function RowTable<T extends object>({
  rows,
  columns,
  format = {},
  selected,
  onSelect,
  rowKey,
  label,
  testId,
}: {
  rows: readonly T[];
  columns: readonly (keyof T & string)[];
  format?: { [K in keyof T]?: (v: T[K], row: T) => ReactNode };
  selected?: string | null;
  onSelect?: (row: T) => void;
  rowKey: (row: T, i: number) => string;
  label: string;
  testId?: string;
}) {
  const cols = columns.filter((c) => rows.some((r) => r[c] !== undefined));
  if (rows.length === 0) return <p className="dim">none</p>;
  return (
    <table className="kt" aria-label={label} data-testid={testId}>
      <ColumnHeads names={cols} />
      <tbody>
        {rows.map((r, i) => {
          const key = rowKey(r, i);
          return (
            <tr
              key={key}
              aria-selected={selected === key}
              tabIndex={onSelect ? 0 : undefined}
              onClick={onSelect ? () => onSelect(r) : undefined}
              onKeyDown={
                onSelect
                  ? (e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        onSelect(r);
                      }
                    }
                  : undefined
              }
            >
              {cols.map((c) => {
                const f = format[c] as ((v: unknown, row: T) => ReactNode) | undefined;
                return <td key={c}>{f ? f(r[c], r) : cell(r[c])}</td>;
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function PidPicker({ pids, pid }: { pids: { pid: number; name: string }[]; pid: number | null }) {
  return (
    <label className="field">
      process{' '}
      <select value={pid ?? ''} onChange={(e) => selectPid(e.target.value === '' ? null : Number(e.target.value))} data-testid="pid-picker">
        <option value="">—</option>
        {pids.map((p) => (
          <option key={p.pid} value={p.pid}>
            {p.pid} {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}
