// IPC composer (D9): pick an endpoint the playground agent holds, a protocol operation (D8) or a
// raw label, fill the fields, send. The message goes to the host-mailbox device; the agent
// (services/agent, a user-space process) performs the call with its own capabilities and sends
// back the reply or the kernel's error, shown below. A slot the agent does not hold is refused by
// the kernel, not by this page.

import { useState } from 'react';
import { useIntro, useMachineStatus } from '../machineClient';
import { KI_VIEW } from '../kernelViews';
import { AGENT_REFUSED } from '../agent';
import { sendThroughAgent, useAgentLog, type Sent } from '../agentStore';
import { PROTOCOLS, protocolByName, unescapeArg, wire } from '../protocols';
import './panels.css';

/** An endpoint capability the agent holds, as the kernel shows it. */
interface HeldEndpoint {
  slot: number;
  /** "→ fs (endpoint #4)": the thread waiting in receive on its endpoint, else the cap's type. */
  target: string;
  rights: string;
  badge: number;
}

/** The agent's tid and the endpoint caps it holds (ki_json views 0 and 1). */
function useAgentEndpoints(): { agentPid: number | null; endpoints: HeldEndpoint[] } {
  const threads = useIntro({ what: KI_VIEW.THREADS, arg: 0 });
  const agent = threads?.ok ? threads.json.find((t) => /agent/i.test(t.name)) : undefined;
  const agentPid = agent ? agent.pid : null;
  const caps = useIntro(agentPid === null ? null : { what: KI_VIEW.CSPACE, arg: agentPid });
  // What each endpoint slot reaches: the thread the kernel shows waiting in receive on that object.
  const servers = new Map<number, string>();
  if (threads?.ok) for (const t of threads.json) if (t.blocked_on === 'endpoint' && /recv/.test(t.state)) servers.set(t.blocked_object, t.name);
  const slots = caps?.ok && caps.json ? caps.json.slots : [];
  const endpoints = slots
    .filter((c) => /endpoint/i.test(c.type))
    .map((c) => {
      const who = servers.get(c.object_id);
      return { slot: c.slot, target: `${who ? `→ ${who}` : c.type} (endpoint #${c.object_id})`, rights: c.rights, badge: c.badge };
    });
  return { agentPid, endpoints };
}

export function ComposerPanel() {
  const s = useMachineStatus();
  const l = useAgentLog();
  const { agentPid, endpoints } = useAgentEndpoints();
  const inImage = s.bootImage.files.some((f) => /^agent(\.wasm)?$/.test(f));
  return (
    <div className="panel" data-testid="composer">
      <h3>Playground agent</h3>
      {!inImage ? (
        <p className="dim" data-testid="agent-missing">
          The boot image has no playground agent (services/agent), so messages queued here have no reader. The mailbox device still
          accepts them: {s.hw.mailbox ? `${s.hw.mailbox.queued} queued, IRQ ${s.hw.mailbox.irqEnable ? 'enabled' : 'not enabled by any driver'}` : '—'}.
        </p>
      ) : (
        <p data-testid="agent-state">
          {l.hello ? <span className="ok">agent ready</span> : <span className="dim">waiting for the agent's hello…</span>}
          {agentPid !== null && <span className="dim"> · tid {agentPid}</span>}
          {s.hw.mailbox && <span className="dim"> · mailbox {s.hw.mailbox.queued} queued</span>}
        </p>
      )}
      <ComposerForm endpoints={endpoints} hello={l.hello} ready={s.phase === 'ready'} />
      <h3>Sent</h3>
      <SentLog sent={l.sent} />
    </div>
  );
}

/** The endpoint slot to send to, with the agent's endpoints offered and listed. */
function SlotField({ slot, setSlot, endpoints, hello }: { slot: string; setSlot: (s: string) => void; endpoints: HeldEndpoint[]; hello: number[] | null }) {
  return (
    <>
      <label className="field">
        endpoint slot
        <input value={slot} onChange={(e) => setSlot(e.target.value)} size={5} list="agent-slots" className="mono" data-testid="composer-slot" required />
      </label>
      <datalist id="agent-slots">
        {endpoints.map((e) => (
          <option key={e.slot} value={e.slot}>
            {e.target} {e.rights} badge {e.badge}
          </option>
        ))}
        {(hello ?? []).map((sl) => (
          <option key={`h${sl}`} value={sl} />
        ))}
      </datalist>
      <span className="dim" data-testid="composer-held">
        held:{' '}
        {endpoints.length > 0
          ? endpoints.map((e) => `${e.slot} ${e.target}`).join(', ')
          : hello
            ? hello.join(', ') || 'none'
            : 'unknown'}
      </span>
    </>
  );
}

/** A message to compose (a protocol operation with its fields, or a raw label and words) and send. */
function ComposerForm({ endpoints, hello, ready }: { endpoints: HeldEndpoint[]; hello: number[] | null; ready: boolean }) {
  const [slot, setSlot] = useState('');
  const [proto, setProto] = useState('');
  const [opName, setOpName] = useState('');
  const [label, setLabel] = useState('0');
  const [words, setWords] = useState<Record<string, string>>({});
  const [raw, setRaw] = useState('');
  const [problem, setProblem] = useState('');
  const protocol = protocolByName(proto);
  const op = protocol?.ops.find((o) => o.name === opName);

  const send = () => {
    setProblem('');
    const slotN = Number(slot);
    if (!Number.isInteger(slotN) || slotN <= 0) return setProblem('the slot is a positive number');
    try {
      if (op && wire) {
        const values: Record<string, string | number> = {};
        op.args.forEach((a) => {
          const v = words[a.name] ?? '';
          values[a.name] = a.type === 'string' || a.type === 'bytes' ? unescapeArg(v) : !/^(0x[0-9a-f]+|-?\d+)$/i.test(v.trim()) ? v : Number(v);
        });
        const enc = wire.encodeRequest(proto, op.name, values);
        sendThroughAgent(slotN, enc.label, enc.words, `${wire.decodeRequest(enc.label, enc.words).text} → slot ${slotN}`);
      } else {
        const w = raw.split(/[\s,]+/).filter(Boolean).map((x) => BigInt.asUintN(64, BigInt(x)));
        const lab = BigInt.asUintN(64, BigInt(label.trim() || '0'));
        sendThroughAgent(slotN, lab, w, `label 0x${lab.toString(16)} [${w.join(', ')}] → slot ${slotN}`);
      }
    } catch (e) {
      setProblem((e as Error).message);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <div className="row">
        <SlotField slot={slot} setSlot={setSlot} endpoints={endpoints} hello={hello} />
      </div>
      <div className="row">
        <label className="field">
          protocol
          <select value={proto} onChange={(e) => { setProto(e.target.value); setOpName(''); setWords({}); }} data-testid="composer-protocol">
            <option value="">raw label</option>
            {PROTOCOLS.map((p) => (
              <option key={p.protocol}>{p.protocol}</option>
            ))}
          </select>
        </label>
        {protocol && (
          <label className="field">
            operation
            <select value={opName} onChange={(e) => { setOpName(e.target.value); setWords({}); }} data-testid="composer-op">
              <option value="">—</option>
              {protocol.ops.map((o) => (
                <option key={o.name}>{o.name}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      {op ? (
        <div className="row">
          {op.args.filter((a) => a.type !== 'cap').map((a) => (
            <label key={a.name} className="field">
              {a.name} <span className="dim">{a.enum ?? a.flags ?? a.type}{a.type === 'string' || a.type === 'bytes' ? ' (\\n = newline)' : ''}</span>
              <input value={words[a.name] ?? ''} onChange={(e) => setWords({ ...words, [a.name]: e.target.value })} size={a.type === 'string' ? 20 : 8} className="mono" data-testid={`composer-arg-${a.name}`} />
            </label>
          ))}
        </div>
      ) : (
        <div className="row">
          <label className="field">
            label <input value={label} onChange={(e) => setLabel(e.target.value)} size={6} className="mono" data-testid="composer-label" />
          </label>
          <label className="field">
            words <input value={raw} onChange={(e) => setRaw(e.target.value)} size={20} className="mono" placeholder="1 2 0x30" data-testid="composer-words" />
          </label>
        </div>
      )}
      <button type="submit" className="primary" disabled={!ready} data-testid="composer-send">
        Send
      </button>
      {PROTOCOLS.length === 0 && <span className="dim"> no typed protocols generated yet (services/gen); raw labels only</span>}
      {problem && <p className="error" data-testid="composer-problem">{problem}</p>}
      {op?.doc && <p className="dim">{op.doc}</p>}
    </form>
  );
}

/** What was sent through the agent, newest first, with the reply or the error once it came. */
function SentLog({ sent }: { sent: Sent[] }) {
  return sent.length === 0 ? (
    <p className="dim">nothing yet</p>
  ) : (
    <ol className="sent mono" data-testid="composer-log">
      {[...sent].reverse().map((x) => (
        <li key={x.tag} data-state={x.state}>
          {x.text}{' '}
          {x.state === 'waiting' ? (
            <span className="dim">… waiting for the agent</span>
          ) : x.state === 'refused' ? (
            <span className="error">mailbox full: refused by the device</span>
          ) : x.err ? (
            <span className="error" data-testid="composer-error">
              → {x.err === AGENT_REFUSED ? '' : `kernel error ${x.err}: `}
              {x.reply}
            </span>
          ) : (
            <span className={x.reply?.startsWith('err') ? 'error' : 'ok'} data-testid="composer-reply">
              → {x.reply}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}
