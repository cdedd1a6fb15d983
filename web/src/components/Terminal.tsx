// The UART console: xterm.js showing the bytes the machine's UART transmits; what the user types
// goes to the UART's receive side. Bytes are written straight to xterm (no React state).

import { useEffect, useRef } from 'react';
import { Terminal as XTerm, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { machine } from '../machineClient';
import { useSettings } from '../settings';
import './Terminal.css';

function cssTheme(): ITheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    background: v('--term-bg'),
    foreground: v('--term-fg'),
    cursor: v('--term-cursor'),
    cursorAccent: v('--term-bg'),
    selectionBackground: v('--term-selection'),
  };
}

function cssFontSize(): number {
  return Number(getComputedStyle(document.documentElement).getPropertyValue('--term-font-size')) || 14;
}

/** The terminal's text, one line per buffer row (trailing blanks trimmed). */
export function terminalText(term: XTerm): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
  return lines.join('\n').replace(/\n+$/, '');
}

/** Where a terminal's bytes come from and its keys go (the Network view's machines 2..N); machine 1's UART by default. */
export interface TerminalSource {
  label: string;
  /** Output sent before the terminal opened. */
  backlog(): Uint8Array[];
  onUart(l: (bytes: Uint8Array) => void): () => void;
  onReset(l: () => void): () => void;
  input(data: string | Uint8Array): void;
  setText(text: () => string): void;
}

export function Terminal({ source }: { source?: TerminalSource } = {}) {
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<XTerm | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const settings = useSettings();

  useEffect(() => {
    const term = new XTerm({
      cursorBlink: true,
      fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--font-mono'),
      fontSize: cssFontSize(),
      scrollback: 5000,
      theme: cssTheme(),
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current!);
    fit.fit();
    if (!source) term.focus();
    termRef.current = term;
    fitRef.current = fit;

    for (const bytes of source?.backlog() ?? []) term.write(bytes);
    const offUart = source ? source.onUart((bytes) => term.write(bytes)) : machine.onUart((bytes) => term.write(bytes));
    // after a jump in time or a loaded state: the screen of that moment
    const offScreen = source ? () => undefined : machine.onScreen((bytes) => {
      term.reset();
      term.write(bytes);
    });
    const send = (data: string | Uint8Array) => (source ? source.input(data) : machine.input(data));
    const offData = term.onData((data) => send(data));
    const offBinary = term.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0))));
    const resize = new ResizeObserver(() => fit.fit());
    resize.observe(host.current!);
    if (source) source.setText(() => terminalText(term));
    else machine.terminalText = () => terminalText(term);
    return () => {
      resize.disconnect();
      offUart();
      offScreen();
      offData.dispose();
      offBinary.dispose();
      term.dispose();
      termRef.current = null;
    };
  }, [source]);

  // Follow the theme and the large-font setting.
  useEffect(() => {
    const term = termRef.current;
    if (!term) return;
    term.options.theme = cssTheme();
    term.options.fontSize = cssFontSize();
    fitRef.current?.fit();
  }, [settings]);

  // Reset clears the screen.
  useEffect(() => (source ?? machine).onReset(() => termRef.current?.reset()), [source]);

  // A halt (kernel panic) or a worker error is written to the console once, in red.
  useEffect(() => {
    if (source) return;
    let shown = '';
    return machine.subscribe(() => {
      const s = machine.getSnapshot();
      const msg = s.halt ? `machine halted: ${s.halt.reason}\n${s.halt.report}` : s.error ? `error: ${s.error}` : '';
      const key = `${s.epoch}:${msg}`;
      if (!msg || key === shown) return;
      shown = key;
      termRef.current?.write(`\r\n\x1b[1;31m*** ${msg.trimEnd()}\x1b[0m\r\n`);
    });
  }, [source]);

  return <div className="terminal" ref={host} role="region" aria-label={source?.label ?? 'UART console'} />;
}
