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

export function Terminal() {
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
    term.focus();
    termRef.current = term;
    fitRef.current = fit;

    const offUart = machine.onUart((bytes) => term.write(bytes));
    // after a jump in time or a loaded state: the screen of that moment
    const offScreen = machine.onScreen((bytes) => {
      term.reset();
      term.write(bytes);
    });
    const offData = term.onData((data) => machine.input(data));
    const offBinary = term.onBinary((data) => machine.input(Uint8Array.from(data, (c) => c.charCodeAt(0))));
    const resize = new ResizeObserver(() => fit.fit());
    resize.observe(host.current!);
    machine.terminalText = () => terminalText(term);
    return () => {
      resize.disconnect();
      offUart();
      offScreen();
      offData.dispose();
      offBinary.dispose();
      term.dispose();
      termRef.current = null;
    };
  }, []);

  // Follow the theme and the large-font setting.
  useEffect(() => {
    const term = termRef.current;
    if (!term) return;
    term.options.theme = cssTheme();
    term.options.fontSize = cssFontSize();
    fitRef.current?.fit();
  }, [settings]);

  // Reset clears the screen.
  useEffect(() => machine.onReset(() => termRef.current?.reset()), []);

  // A halt (kernel panic) or a worker error is written to the console once, in red.
  useEffect(() => {
    let shown = '';
    return machine.subscribe(() => {
      const s = machine.getSnapshot();
      const msg = s.halt ? `machine halted: ${s.halt.reason}\n${s.halt.report}` : s.error ? `error: ${s.error}` : '';
      const key = `${s.epoch}:${msg}`;
      if (!msg || key === shown) return;
      shown = key;
      termRef.current?.write(`\r\n\x1b[1;31m*** ${msg.trimEnd()}\x1b[0m\r\n`);
    });
  }, []);

  return <div className="terminal" ref={host} role="region" aria-label="UART console" />;
}
