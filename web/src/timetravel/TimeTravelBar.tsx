// Time travel controls (issue 15 in the page): reverse commands — ◂ Step (one EL0 instruction),
// ◂ Entry, ◂ IPC, ◂ Fault, ◂ Switch, ◂ Break (the previous kernel-event breakpoint of the CPU panel)
// — and save-state: named slots in IndexedDB, download and upload of the state file, and a state
// file dropped anywhere on the page. A refused file leaves the machine as it was and says why.

import { useEffect, useState } from 'react';
import { useMachineStatus } from '../machineClient';
import type { ReverseTarget } from '../worker/protocol';
import { loadState, reverse, saveState } from './client';
import { SLOT_COUNT, listSlots, readSlot, writeSlot } from './slots';
import './timetravel.css';

const BACK: [ReverseTarget, string, string][] = [
  ['instruction', '◂ Step back', 'Go back one EL0 instruction'],
  ['entry', '◂ Entry', 'Go back to the end of the previous kernel entry'],
  ['ipc', '◂ IPC', 'Go back to the previous IPC send, receive or reply'],
  ['fault', '◂ Fault', 'Go back to the previous fault'],
  ['switch', '◂ Switch', 'Go back to the previous context switch'],
  ['break', '◂ Break', 'Reverse-continue to the previous kernel-event breakpoint (CPU panel)'],
];

const MiB = (n: number) => `${(n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 1 : 0)} MiB`;

type SlotInfo = Awaited<ReturnType<typeof listSlots>>[number];

function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function TimeTravelBar() {
  const s = useMachineStatus();
  const tt = s.timeTravel;
  // time travel runs one machine (as `mlk boot` refuses --record with --machines): off while networked
  const networked = s.network !== undefined;
  const ready = (s.phase === 'ready' || s.phase === 'halted') && !networked;
  const [message, setMessage] = useState<{ text: string; tone: 'ok' | 'danger' } | null>(null);
  const [slots, setSlots] = useState<SlotInfo[]>([]);
  const [slot, setSlot] = useState(1);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');

  const refreshSlots = () => void listSlots().then(setSlots, () => setSlots([]));
  useEffect(refreshSlots, []);

  const load = async (bytes: Uint8Array, from: string) => {
    setBusy(true);
    const why = await loadState(bytes);
    setBusy(false);
    setMessage(why ? { text: `State refused (${from}): ${why}`, tone: 'danger' } : { text: `State loaded from ${from}.`, tone: 'ok' });
  };

  // a state file dropped anywhere on the page
  useEffect(() => {
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      const f = e.dataTransfer?.files[0];
      if (!f) return;
      e.preventDefault();
      void f.arrayBuffer().then((b) => load(new Uint8Array(b), f.name));
    };
    addEventListener('dragover', over);
    addEventListener('drop', drop);
    return () => {
      removeEventListener('dragover', over);
      removeEventListener('drop', drop);
    };
  }, []);

  const current = slots.find((x) => x.slot === slot);
  const save = async () => {
    setBusy(true);
    try {
      const bytes = await saveState();
      const label = name.trim() || `t = ${(s.ticks / 24e6).toFixed(3)} s`;
      await writeSlot({ slot, name: label, savedAt: new Date().toISOString(), ticks: s.ticks, bytes });
      refreshSlots();
      setMessage({ text: `Saved in slot ${slot} (${MiB(bytes.length)}).`, tone: 'ok' });
    } catch (e) {
      setMessage({ text: `Save failed: ${(e as Error).message}`, tone: 'danger' });
    } finally {
      setBusy(false);
    }
  };
  const loadSlot = async () => {
    const saved = await readSlot(slot).catch(() => undefined);
    if (!saved) return setMessage({ text: `Slot ${slot} is empty.`, tone: 'danger' });
    await load(saved.bytes, `slot ${slot}`);
  };
  const downloadState = async () => {
    try {
      download(await saveState(), `mlk-state-${Math.round(s.ticks / 24e3)}ms.mlkstate`);
    } catch (e) {
      setMessage({ text: `Save failed: ${(e as Error).message}`, tone: 'danger' });
    }
  };

  return (
    <div className="timetravel" role="toolbar" aria-label="Time travel" data-testid="timetravel">
      <div className="toolbar-group">
        {BACK.map(([target, label, title]) => (
          <button key={target} disabled={!ready || busy} onClick={() => reverse(target)} title={title} data-testid={`back-${target}`}>
            {label}
          </button>
        ))}
      </div>
      {networked && (
        <span className="tt-where tone-warn" data-testid="tt-where" title="Reverse stepping, states and recordings need one machine: the network's machines advance together">
          time travel is off: it runs one machine, and the Network view runs {s.network!.machines} (a reboot with the Network view closed returns to one)
        </span>
      )}
      {tt && !networked && (
        <span
          className={`tt-where ${tt.inPast ? 'tone-warn' : 'dim'}`}
          title={`Checkpoints of the reverse engine: ${tt.checkpoints}, ${MiB(tt.bytes)} of its ${MiB(tt.memoryBudget)} budget`}
          data-testid="tt-where"
        >
          {tt.inPast ? 'in the past · Run replays the history' : 'live'} · {tt.checkpoints} checkpoints, {MiB(tt.bytes)}/{MiB(tt.memoryBudget)}
          {tt.origin === 'recording' ? ' · replaying a shared recording' : ''}
        </span>
      )}
      <div className="toolbar-group">
        <select value={slot} onChange={(e) => setSlot(Number(e.target.value))} aria-label="Save-state slot" data-testid="state-slot">
          {Array.from({ length: SLOT_COUNT }, (_, i) => i + 1).map((n) => {
            const x = slots.find((y) => y.slot === n);
            return (
              <option key={n} value={n}>
                slot {n}: {x ? `${x.name}, ${new Date(x.savedAt).toLocaleTimeString()}` : 'empty'}
              </option>
            );
          })}
        </select>
        <input
          className="tt-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="name (optional)"
          aria-label="Name for the saved state"
          size={14}
          data-testid="state-name"
        />
        <button disabled={!ready || busy} onClick={() => void save()} title="Save the whole machine (RAM, registers, devices, disk) in this slot" data-testid="save-state">
          Save state
        </button>
        <button disabled={!ready || busy || !current} onClick={() => void loadSlot()} title="Load the state saved in this slot" data-testid="load-state">
          Load state
        </button>
        <button disabled={!ready || busy} onClick={() => void downloadState()} title="Download the state file" data-testid="download-state">
          ⤓
        </button>
        <label className="button-like" title="Load a state file (or drop one on the page)">
          ⤒
          <input
            type="file"
            hidden
            data-testid="upload-state"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (f) void f.arrayBuffer().then((b) => load(new Uint8Array(b), f.name));
            }}
          />
        </label>
      </div>
      {(message || tt?.notice) && (
        <span className={`tt-message tone-${message?.tone ?? 'danger'}`} role="status" data-testid="tt-message">
          {message?.text ?? tt?.notice}
        </span>
      )}
    </div>
  );
}
