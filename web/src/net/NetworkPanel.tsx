// The Network view (issue 14): machine 2's own terminal next to the frames on the wire between the
// machines. Opening it puts machine 1 on a switch with machine 2 (the worker's WorkerNetwork, the
// CLI's `mlk boot --machines 2`); the other panels keep showing machine 1. The frames are the
// switch's capture — the bytes the NICs transmitted — decoded here by host/frames.ts, as tcpdump
// would print them; selecting one shows its fields and bytes. "Download pcap" saves every frame
// captured so far (hw/pcap.ts, linktype Ethernet) for Wireshark or tcpdump.

import { useEffect, useMemo, useState } from 'react';
import { machine, useMachineStatus } from '../machineClient';
import { Terminal, type TerminalSource } from '../components/Terminal';
import { VirtualList } from '../components/VirtualList';
import { frameThrottle } from '../frameThrottle';
import { CNTFRQ } from '../../../hw/memmap';
import { decodeFrame, hexDump, macName, type DecodedFrame } from '../../../host/frames';
import type { PageFrame } from './netStore';
import './network.css';

/** Machine 2's console as a terminal source (web/src/components/Terminal.tsx). */
function machineTerminal(k: number): TerminalSource {
  return {
    label: `machine ${k} console`,
    backlog: () => machine.net.transcript(k),
    onUart: (l) => machine.net.onUart((from, bytes) => { if (from === k) l(bytes); }),
    onReset: (l) => machine.onReset(l),
    input: (data) => machine.netInput(k, data),
    setText: (text) => void machine.net.terminalText.set(k, text),
  };
}

const decoded = new WeakMap<PageFrame, DecodedFrame>();
function decode(f: PageFrame): DecodedFrame {
  let d = decoded.get(f);
  if (!d) decoded.set(f, (d = decodeFrame(f.bytes)));
  return d;
}

/** Re-renders when frames arrive, at most every UI_REFRESH_MS (frameThrottle.ts). */
function useFrames(): PageFrame[] {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const refresh = frameThrottle(() => setVersion(machine.net.getVersion()));
    return machine.net.subscribe(refresh);
  }, []);
  return machine.net.frames;
}

const ms = (ticks: number) => `${((ticks / CNTFRQ) * 1e3).toFixed(3)} ms`;

function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/vnd.tcpdump.pcap' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function FrameDetail({ frame }: { frame: PageFrame }) {
  const d = decode(frame);
  return (
    <div className="net-detail" data-testid="net-detail">
      <div className="net-summary">
        #{frame.n} · {ms(frame.ticks)} · {d.summary}
      </div>
      {d.layers.map((l) => (
        <details key={l.name} open>
          <summary>{l.name}</summary>
          <table>
            <tbody>
              {l.fields.map((f) => (
                <tr key={f.name}>
                  <td className="dim">{f.name}</td>
                  <td>{f.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
      <pre className="net-hex">{hexDump(frame.bytes).join('\n')}</pre>
    </div>
  );
}

function NetworkHeader() {
  const s = useMachineStatus();
  const n = s.network;
  const [error, setError] = useState('');
  const other = n?.others[0];
  const state = !n ? 'starting machine 2…'
    : other?.halt ? `machine 2 halted: ${other.halt}`
      : n.catchingUp ? `machine 2 is booting (catching up to machine 1's ${ms(s.ticks)} before its cable is plugged in)…`
        : `on one switch, in lockstep at ${ms(n.time)}`;
  const save = () => {
    setError('');
    machine.pcap().then((bytes) => download(bytes, `mlk-${n?.machines ?? 2}-machines.pcap`), (e: Error) => setError(e.message));
  };
  return (
    <div className="net-header">
      <span data-testid="net-state">
        Machine 1 (10.0.0.1) and machine 2 (10.0.0.2): {state}
      </span>
      <span className="dim" data-testid="net-stats">
        {n ? `${n.frames} frames · ${n.stats.flooded ?? 0} flooded · ${n.stats.lost ?? 0} lost` : ''}
      </span>
      <button onClick={save} disabled={!n} title="Every frame captured on the switch as a pcap file (tcpdump, Wireshark)" data-testid="download-pcap">
        Download pcap
      </button>
      {error && <span className="tone-danger">{error}</span>}
    </div>
  );
}

export default function NetworkPanel() {
  const s = useMachineStatus();
  const frames = useFrames();
  const [selected, setSelected] = useState<number | null>(null);
  const source = useMemo(() => machineTerminal(2), []);
  // opening the view puts machine 2 on the wire (again after a reboot, which boots both)
  useEffect(() => {
    if (!s.network && s.phase === 'ready') machine.startNetwork(2);
  }, [s.network, s.phase, s.epoch]);
  const index = selected === null ? -1 : frames.findIndex((f) => f.n === selected);
  const older = machine.net.total - frames.length;
  return (
    <div className="panel net-panel" data-testid="network-panel">
      <NetworkHeader />
      <div className="net-body">
        <div className="net-term" data-testid="net-terminal">
          <Terminal source={source} />
        </div>
        <div className="net-frames">
          {older > 0 && <p className="warn-note">The list keeps the last {frames.length.toLocaleString('en-US')} frames; {older.toLocaleString('en-US')} older ones are only in the pcap.</p>}
          <div className="net-row net-head dim">
            <span className="net-n">No.</span>
            <span className="net-t">time</span>
            <span className="net-who">from → to</span>
            <span className="net-p">proto</span>
            <span>summary</span>
          </div>
          <VirtualList
            count={frames.length}
            rowHeight={22}
            label="Frames on the wire"
            testId="net-frames"
            selected={index >= 0 ? index : undefined}
            row={(i) => {
              const f = frames[i];
              const d = decode(f);
              return (
                <span className="net-row" onClick={() => setSelected(f.n)} data-testid="net-frame">
                  <span className="net-n dim">{f.n}</span>
                  <span className="net-t dim">{ms(f.ticks)}</span>
                  <span className="net-who">{macName(d.src)} → {macName(d.dst)}</span>
                  <span className={`net-p p-${d.protocol}`}>{d.protocol}</span>
                  <span className="net-s" title={d.summary}>{d.summary}</span>
                </span>
              );
            }}
          />
          {index >= 0 ? <FrameDetail frame={frames[index]} /> : <p className="dim">Select a frame to see its fields and bytes.</p>}
        </div>
      </div>
    </div>
  );
}
