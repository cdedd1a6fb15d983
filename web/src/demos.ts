// Guided demos: a few steps each, with text and a highlighted part of the page. A demo that needs
// something this build lacks (services, introspection, trace kinds, the agent) says what is
// missing instead of pretending; the steps that need nothing still run.

import { machine } from './machineClient';
import { field, num, threadsOf } from './kernelViews';
import { selectPid } from './selection';
import { sendThroughAgent } from './panels/ComposerPanel';
import { wire } from './protocols';
import { FAULT_KINDS, IPC_KINDS, SWITCH_KINDS } from './traceKinds';
import { setUi, type PanelId } from './ui';
import type { MachineStatus } from './worker/protocol';

export type Need = 'services' | 'shell' | 'introspection' | 'ipc-trace' | 'fault-trace' | 'switch-trace' | 'agent';

export interface DemoStep {
  text: string;
  /** data-demo name of the element to highlight. */
  highlight?: string;
  panel?: PanelId;
  /** Run when the step is shown (type a command, step the machine). */
  action?: () => void;
  /** The button that runs `action` again. */
  actionLabel?: string;
  needs?: Need[];
}

export interface Demo {
  id: string;
  title: string;
  summary: string;
  needs: Need[];
  steps: DemoStep[];
}

const has = (s: MachineStatus, file: string) => s.bootImage.files.some((f) => f === file || f === `${file}.wasm`);

/** Why a need is not met by this build, or null when it is. */
export function missing(need: Need, s: MachineStatus): string | null {
  switch (need) {
    case 'services':
      return has(s, 'init') ? null : 'the boot image has no services (no init)';
    case 'shell':
      return has(s, 'shell') ? null : 'the boot image has no shell';
    case 'agent':
      return has(s, 'agent') ? null : 'the boot image has no playground agent';
    case 'introspection':
      return s.introspection ? null : 'the kernel exports no ki_json (introspection)';
    case 'ipc-trace':
      return IPC_KINDS.size ? null : 'the kernel defines no IPC trace records';
    case 'fault-trace':
      return FAULT_KINDS.size ? null : 'the kernel defines no FAULT trace records';
    case 'switch-trace':
      return SWITCH_KINDS.size ? null : 'the kernel defines no SWITCH trace records';
  }
}

const type = (cmd: string) => () => machine.input(`${cmd}\r`);

/** Selects the agent's process in the panels (from the kernel's thread table, when watched). */
function selectAgent(tries = 20): void {
  const t = machine.intro('0:0');
  const agent = t?.ok ? threadsOf(t.json).find((r) => field(r, 'name') === 'agent') : undefined;
  const pid = agent ? num(field(agent, 'pid')) : undefined;
  if (pid !== undefined) selectPid(pid);
  else if (tries > 0) setTimeout(() => selectAgent(tries - 1), 150);
}
const run = () => machine.send({ type: 'run' });

export const DEMOS: Demo[] = [
  {
    id: 'boot',
    title: 'Boot walk-through',
    summary: 'From reset to the idle loop: the boot log, virtual time, the timer FIQ, stepping.',
    needs: [],
    steps: [
      {
        text: 'The kernel starts at kmain with the device tree address in x0. Everything it prints goes through the modelled Samsung UART to this terminal: its banner, the memory map and the devices it found in the device tree.',
        highlight: 'terminal',
        action: run,
      },
      {
        text: 'Time is virtual: one EL0 instruction is one tick of the 24 MHz system counter, each kernel entry costs a fixed charge, and WFI skips to the next deadline. The status bar shows the counter, instructions retired and the exception level.',
        highlight: 'status',
      },
      {
        text: 'The kernel arms the ARM generic timer; on Apple cores its interrupt is an FIQ, not an AIC IRQ. The interrupts panel shows CNTP_CTL/CVAL and the FIQ output as the timer model holds them.',
        highlight: 'dock',
        panel: 'interrupts',
      },
      {
        text: 'Pause, then "Entry ▸" steps to the next kernel entry: with the core idle in WFI that is the next timer FIQ. The status bar says what the step did.',
        highlight: 'step-entry',
        action: () => machine.send({ type: 'stepUntil', until: 'entry' }),
        actionLabel: 'Step to the next kernel entry',
      },
      {
        text: 'With services in the boot image, init starts them and the processes panel lists every thread with its state.',
        highlight: 'dock',
        panel: 'processes',
        needs: ['services', 'introspection'],
        action: run,
      },
    ],
  },
  {
    id: 'ipc',
    title: 'IPC call and reply',
    summary: 'A shell command becomes calls to vfs and fs; watch them as messages and as a sequence diagram.',
    needs: ['services', 'shell', 'ipc-trace'],
    steps: [
      { text: 'The shell reads a line from the console service and calls vfs for each file operation. Type a command, or use the button.', highlight: 'terminal', action: type('cat /etc/motd'), actionLabel: 'Type "cat /etc/motd"' },
      { text: 'Each call is traced by the kernel: send, receive, reply, with the label that names the protocol operation.', panel: 'messages', highlight: 'dock' },
      { text: 'Pause and step to the next IPC: the machine stops right after the kernel traced the next message.', highlight: 'step-ipc', action: () => machine.send({ type: 'stepUntil', until: 'ipc' }), actionLabel: 'Step to the next IPC' },
      { text: 'Switch the messages panel to "Sequence" to see the last messages as a sequence diagram.', panel: 'messages', highlight: 'dock', action: run },
    ],
  },
  {
    id: 'caps',
    title: 'Capability denied and revoked',
    summary: 'The agent can only call what it holds a capability for; a revoked capability vanishes.',
    needs: ['agent', 'introspection'],
    steps: [
      {
        text: "The capabilities panel shows the playground agent's slots: init's endpoint (slot 4) and the endpoints init granted it (16…), each with rights and badge — and nothing else.",
        panel: 'capabilities',
        highlight: 'dock',
        action: () => selectAgent(),
      },
      {
        text: 'Ask the agent to call slot 60, which it does not hold. The kernel refuses the lookup, and the composer shows the kernel\'s error: the page has no way around the capability check.',
        panel: 'composer',
        highlight: 'dock',
        action: () => sendThroughAgent(60, wire?.label('proc', 'ps') ?? 0x502n, [0n], 'proc.ps(index=0) → slot 60'),
        actionLabel: 'Send to slot 60',
      },
      {
        text: 'Kill the block driver: the kernel deletes its capabilities, and those derived from them, and they disappear from the derivation tree; init gives the new instance fresh ones.',
        panel: 'capabilities',
        highlight: 'dock',
        needs: ['shell'],
        action: type('kill 3'),
        actionLabel: 'Type "kill 3"',
      },
    ],
  },
  {
    id: 'paging',
    title: 'Page fault and demand paging',
    summary: 'A first touch of a heap page faults; the kernel maps a frame and restarts the instruction.',
    needs: ['services', 'fault-trace'],
    steps: [
      { text: 'Data aborts at EL0 are precise: ESR has the fault status, FAR the address, and nothing of the instruction has happened yet.', panel: 'memory', highlight: 'dock' },
      { text: 'Step to the next fault: the machine stops when the kernel traces it. The page-faults list shows the address and whether it was handled.', highlight: 'step-fault', action: () => machine.send({ type: 'stepUntil', until: 'fault' }), actionLabel: 'Step to the next fault' },
      { text: "Walk the faulting address through the page tables: after the kernel mapped the frame the walk ends at a page descriptor.", panel: 'memory', highlight: 'dock' },
    ],
  },
  {
    id: 'restart',
    title: 'A driver crash and its restart',
    summary: 'Kill a service; init, the supervisor, notices and starts it again.',
    needs: ['services', 'shell', 'introspection'],
    steps: [
      { text: 'The processes panel lists the services init started. blockdev is the block-device driver: a user-space program holding the device\'s MMIO page and its IRQ.', panel: 'processes', highlight: 'dock' },
      { text: 'Kill it from the shell (init\'s pid 3). Its thread goes away; init, the supervisor, is told and starts a new instance from the boot image, with fresh capabilities to the same endpoints.', highlight: 'terminal', action: type('kill 3'), actionLabel: 'Type "kill 3"' },
      { text: 'The processes panel shows the new blockdev thread; `ps` in the shell counts the restart. Files still read: the file system simply calls the new driver.', panel: 'processes', highlight: 'dock', action: type('ps'), actionLabel: 'Type "ps"' },
    ],
  },
  {
    id: 'preempt',
    title: 'Preemption by the timer',
    summary: 'The timer FIQ interrupts a running thread at any instruction and the scheduler switches.',
    needs: [],
    steps: [
      { text: 'The generic timer fires an FIQ when the counter reaches CVAL. The interrupts panel shows the deadline and the output line.', panel: 'interrupts', highlight: 'dock' },
      { text: 'Step to the next kernel entry: the core takes the FIQ between two EL0 instructions (or wakes from WFI).', highlight: 'step-entry', action: () => machine.send({ type: 'stepUntil', until: 'entry' }), actionLabel: 'Step to the next kernel entry' },
      { text: 'Start a CPU-bound program: spin counts primes and makes no system call while it counts (one console write per round). It runs at priority 5, below every service, so only the timer FIQ and interrupts take the core from it.', highlight: 'terminal', needs: ['services', 'shell'], action: type('spawn spin'), actionLabel: 'Type "spawn spin"' },
      { text: 'While spin runs, type into the terminal: the UART IRQ wakes the console (priority 24), which preempts spin at whatever instruction it was on; the shell answers at once. Step to the next context switch and watch "current thread" in the status bar.', highlight: 'status', needs: ['services', 'switch-trace'], action: () => machine.send({ type: 'stepUntil', until: 'switch' }), actionLabel: 'Step to the next context switch' },
    ],
  },
];

export function startDemo(id: string, step = 0): void {
  const demo = DEMOS.find((d) => d.id === id);
  if (!demo) return;
  showStep(demo, Math.min(Math.max(0, step), demo.steps.length - 1), true);
}

export function showStep(demo: Demo, step: number, act: boolean): void {
  const st = demo.steps[step];
  setUi({ demo: { id: demo.id, step }, highlight: st.highlight ?? null, ...(st.panel ? { panel: st.panel } : {}) });
  // After the panel it opens has mounted and watches its views.
  if (act && st.action && !st.actionLabel) setTimeout(st.action, 300);
}

export function stopDemo(): void {
  setUi({ demo: null, highlight: null });
}
