// The terminal's rows as a reader sees them. The console service keeps rows whole: to put another
// program's line above the row being edited (a prompt, a partial line), it erases that row
// (CR, ESC [ K), prints the line, and draws the row again (docs/SERVICES.md "One terminal, whole
// lines"). A terminal shows only the redrawn row; text read from the UART holds both.

/** The terminal text without the rows the console erased (what was erased is drawn again after). */
export function withoutErasedRows(raw: string): string {
  return raw.replace(/[^\n]*\r\x1b\[K/g, '');
}
