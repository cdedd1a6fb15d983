// The draggable bar between the terminal and the dock. Pointer: drag. Keyboard: focus it and use
// the arrow keys (Shift for bigger steps), Home/End for the limits (WAI-ARIA window splitter).

import type { KeyboardEvent, PointerEvent } from 'react';
import { getUi, setUi, useUi } from '../ui';

export function Splitter() {
  const ui = useUi();
  const vertical = ui.side === 'right';

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const bar = e.currentTarget;
    const box = bar.parentElement!.getBoundingClientRect();
    bar.setPointerCapture(e.pointerId);
    const move = (ev: globalThis.PointerEvent) => {
      const size = vertical ? (box.right - ev.clientX) / box.width : (box.bottom - ev.clientY) / box.height;
      setUi({ size });
    };
    const up = () => {
      bar.removeEventListener('pointermove', move);
      bar.removeEventListener('pointerup', up);
    };
    bar.addEventListener('pointermove', move);
    bar.addEventListener('pointerup', up);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const d = e.shiftKey ? 0.1 : 0.02;
    const grow = vertical ? 'ArrowLeft' : 'ArrowUp';
    const shrink = vertical ? 'ArrowRight' : 'ArrowDown';
    const size = getUi().size;
    if (e.key === grow) setUi({ size: size + d });
    else if (e.key === shrink) setUi({ size: size - d });
    else if (e.key === 'Home') setUi({ size: 0.15 });
    else if (e.key === 'End') setUi({ size: 0.8 });
    else return;
    e.preventDefault();
  };

  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation={vertical ? 'vertical' : 'horizontal'}
      aria-label="Resize the panels"
      aria-valuemin={15}
      aria-valuemax={80}
      aria-valuenow={Math.round(ui.size * 100)}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
      data-testid="splitter"
    />
  );
}
