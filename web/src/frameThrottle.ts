// Page-side refresh rate. While the machine runs flat out the worker streams status and trace
// records every frame; re-rendering the panels for each costed more than a frame's 16.7 ms
// (React, then layout and paint of the lists), so frames were dropped. Panels refresh at most
// every UI_REFRESH_MS instead, in an animation frame; a first change after a quiet spell (a step,
// a command's answer) still shows in the next frame.

/** Least time between two panel refreshes while changes stream in (10 per second). */
export const UI_REFRESH_MS = 100;

/** A function that runs `fn` in an animation frame, at most once per `minMs` however often it is called. */
export function frameThrottle(fn: () => void, minMs = UI_REFRESH_MS): () => void {
  let pending = false;
  let last = -Infinity;
  const run = () => {
    pending = false;
    last = performance.now();
    fn();
  };
  return () => {
    if (pending) return;
    pending = true;
    const wait = last + minMs - performance.now();
    if (wait <= 0) requestAnimationFrame(run);
    else setTimeout(() => requestAnimationFrame(run), wait);
  };
}
