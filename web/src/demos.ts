// Guided demos: a few steps each, with text and a highlighted part of the page. A demo that needs
// something this build lacks (services, introspection, trace kinds, the agent) says what is
// missing instead of pretending; the steps that need nothing still run.

import { machine } from './machineClient';
import { KI_VIEW } from './kernelViews';
import { CNODE_DELETE as CNODE_DELETE_LABEL, CNODE_MINT as CNODE_MINT_LABEL, SLOT_CNODE } from '../../host/abi';
import { selectPid } from './selection';
import { sendThroughAgent } from './agentStore';
import { wire } from './protocols';
import { FAULT_KINDS, IPC_KINDS, SWITCH_KINDS } from '../../host/traceKinds';
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

const run = () => machine.send({ type: 'run' });
/** Types a command line into the shell, with the machine running so it is read and echoed. */
const type = (cmd: string) => () => {
  run();
  machine.input(`${cmd}\r`);
};
const stepUntil = (until: 'entry' | 'ipc' | 'fault' | 'switch') => () => machine.send({ type: 'stepUntil', until });
const pause = () => machine.send({ type: 'pause' });

/** Selects the agent's process in the panels (from the kernel's thread table, when watched). */
/** The agent's own CNode (its SLOT_CNODE) and the CNode methods it forwards (docs/SYSCALLS.md). */
const AGENT_CNODE = SLOT_CNODE;
const CNODE_MINT = BigInt(CNODE_MINT_LABEL);
const CNODE_DELETE = BigInt(CNODE_DELETE_LABEL);

function selectAgent(tries = 20): void {
  const t = machine.intro({ what: KI_VIEW.THREADS, arg: 0 });
  const agent = t?.ok ? t.json.find((r) => r.name === 'agent') : undefined;
  if (agent) selectPid(agent.pid);
  else if (tries > 0) setTimeout(() => selectAgent(tries - 1), 150);
}

export const DEMOS: Demo[] = [
  {
    id: 'start',
    title: 'Start here',
    summary: 'A first visit: what this page is, where to type, what the panels show.',
    needs: [],
    steps: [
      {
        text: 'This page runs a real microkernel on a model of an Apple M1, in your browser. The kernel and its services are WebAssembly programs; the terminal is the modelled UART. Everything the panels show is read from the machine: the kernel\'s own introspection (ki_json) and its trace records.',
        highlight: 'terminal',
        action: run,
      },
      { text: 'Type commands at the `mlk>` prompt. `help` lists them; `ps` lists processes, `ls /` files. Try it with the button.', highlight: 'terminal', action: type('help'), actionLabel: 'Type "help"' },
      { text: 'The toolbar pauses the machine and steps it: one instruction, to the next kernel entry, the next IPC or the next fault. The status bar shows virtual time, the current thread and why the kernel was last entered.', highlight: 'status' },
      { text: 'The dock on the right holds the panels: processes, capabilities, messages, memory, interrupts, the message composer and these lessons. Open "Lessons" to follow the course step by step.', highlight: 'dock', panel: 'processes' },
    ],
  },
  {
    id: 'boot',
    title: 'Boot and the device tree',
    summary: 'From reset to the idle loop: the device tree, the boot log, virtual time, the timer FIQ, stepping.',
    needs: [],
    steps: [
      {
        text: 'The kernel starts at kmain with the device tree (FDT) address in x0, as m1n1 hands over. It finds the UART from /chosen/stdout-path and prints, through the modelled Samsung UART, its banner, the memory map, and every device node it found in the tree — with its compatible string, MMIO range and interrupt.',
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
        text: 'Pause, then "Entry ▸" steps to the next kernel entry: with the core idle in WFI that is the next timer FIQ. The status bar says what the step did and names the cause of the entry.',
        highlight: 'step-entry',
        action: () => {
          pause();
          stepUntil('entry')();
        },
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
    summary: 'A shell command becomes calls to vfs and fs; watch them as messages, the fast path, and a sequence diagram.',
    needs: ['services', 'shell', 'ipc-trace'],
    steps: [
      { text: 'The shell reads a line from the console service and calls vfs for each file operation. Type a command, or use the button.', highlight: 'terminal', action: type('cat /etc/motd'), actionLabel: 'Type "cat /etc/motd"' },
      { text: 'Each message is one row: the kernel traces the send, the receive that takes a queued send, and the reply — with the label that names the protocol operation and the words that carry its arguments. ⚡ marks a message the kernel carried on its fast path (caller straight to a waiting server, no scheduler pass).', panel: 'messages', highlight: 'dock' },
      {
        text: 'Pause, type `ls /`, and step to the next IPC: the key reaches the console driver by an interrupt, and the machine stops right after the kernel traced the next message. On an idle machine the step stops at once and says "idle — waiting for input".',
        highlight: 'step-ipc',
        action: () => {
          pause();
          machine.input('ls /\r');
          stepUntil('ipc')();
        },
        actionLabel: 'Type "ls /" and step to the next IPC',
      },
      { text: 'Switch the messages panel to "Sequence" to see the last messages as a sequence diagram: shell → vfs → fs and the replies back.', panel: 'messages', highlight: 'dock', action: run },
    ],
  },
  {
    id: 'caps',
    title: 'Capabilities: denied, minted, badged, revoked',
    summary: 'The agent can only call what it holds a capability for; a copy minted with fewer rights is refused; a badge is set once; a killed driver\'s capabilities vanish.',
    needs: ['agent', 'introspection'],
    steps: [
      {
        text: "The capabilities panel shows the playground agent's slots: init's endpoint and the endpoints init granted it, each with rights and badge — and nothing else.",
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
        text: "The agent mints a weaker copy of its endpoint to init (slot 4) into slot 48 of its own CNode: CNode.Mint with the grant right only, no write. Rights can only shrink — the kernel clips them to the source's. The capability graph highlights the new cap, derived from slot 4 (the trace has the CAP_OP record of the Mint).",
        panel: 'capabilities',
        highlight: 'dock',
        action: () => {
          selectAgent();
          // slot 48 may hold a copy from an earlier run of this lesson: delete it first
          sendThroughAgent(AGENT_CNODE, CNODE_DELETE, [48n], 'CNode.Delete(slot=48)');
          sendThroughAgent(AGENT_CNODE, CNODE_MINT, [48n, 4n, 4n, 0n], 'CNode.Mint(dest=48, src=4, rights=--G)');
        },
        actionLabel: 'Mint slot 48 (no write)',
      },
      {
        text: 'Call init through slot 48: an endpoint send needs the write right, which the copy lacks. The kernel refuses: insufficient rights — the same endpoint the agent reaches through slot 4.',
        panel: 'composer',
        highlight: 'dock',
        action: () => sendThroughAgent(48, wire?.label('proc', 'ps') ?? 0x502n, [0n], 'proc.ps(index=0) → slot 48 (no write)'),
        actionLabel: 'Send to slot 48',
      },
      {
        text: "Badges: init gave the agent's cap a badge (shown in hex in the graph); init's receive gets it with every message, and that is how init knows who calls. A badge is set once: minting slot 4 again with a new badge 0x77 is an illegal operation, so no client can pass itself off as another.",
        panel: 'composer',
        highlight: 'dock',
        action: () => {
          sendThroughAgent(AGENT_CNODE, CNODE_DELETE, [49n], 'CNode.Delete(slot=49)');
          sendThroughAgent(AGENT_CNODE, CNODE_MINT, [49n, 4n, 2n, 0x77n], 'CNode.Mint(dest=49, src=4, rights=-W-, badge=0x77)');
        },
        actionLabel: 'Mint with badge 0x77',
      },
      {
        text: 'Kill the block driver: the kernel deletes its capabilities, and those derived from them; init gives the new instance fresh ones.',
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
    title: 'Page faults',
    summary: 'Demand paging of fresh pages, the stack guard page, a crash delivered to the fault handler.',
    needs: ['services', 'shell', 'fault-trace'],
    steps: [
      { text: 'Data aborts at EL0 are precise: ESR has the fault status and WnR (write or read), FAR the address, and nothing of the instruction has happened yet. The memory panel lists every fault the kernel traces: address, access, and how it was resolved.', panel: 'memory', highlight: 'dock' },
      {
        text: '`spawn faults` starts a program that touches four fresh heap pages — each first touch is resolved by demand paging: the kernel maps a zeroed frame and restarts the load — then reads through a null pointer. No mapping resolves that: the fault goes to the program\'s fault handler (init), which reports it.',
        highlight: 'terminal',
        action: type('spawn faults'),
        actionLabel: 'Type "spawn faults"',
      },
      {
        text: '`spawn overflow` recurses until its value stack runs into the guard page above SPLIM: a write fault at the guard page.',
        highlight: 'terminal',
        action: type('spawn overflow'),
        actionLabel: 'Type "spawn overflow"',
      },
      { text: 'Click a fault in the list: while its process exists, the page-table walk shows that address in the process\'s own tables (its TTBR0), level by level — a page descriptor for a demand-paged page, a translation fault for the null page and the guard page. These two programs crashed and init freed them, so the panel says their tables are gone: pick a live process and walk its own stack guard page (0x4080740000) or null page (0x0) to compare.', panel: 'memory', highlight: 'dock' },
      { text: 'Pause, spawn it again and step to the next fault: the machine stops when the kernel traces it.', highlight: 'step-fault', action: () => { pause(); machine.input('spawn faults\r'); stepUntil('fault')(); }, actionLabel: 'Spawn and step to the next fault' },
    ],
  },
  {
    id: 'preempt',
    title: 'Preemption and priorities',
    summary: 'The timer FIQ and the UART IRQ take the core from a CPU-bound program; the shell still answers.',
    needs: [],
    steps: [
      { text: 'The generic timer fires an FIQ when the counter reaches CVAL. The interrupts panel shows the deadline and the output line.', panel: 'interrupts', highlight: 'dock' },
      { text: 'Start a CPU-bound program: spin counts primes and makes no system call while it counts (one console write per round). It runs at priority 5, below every service, so only interrupts take the core from it.', highlight: 'terminal', needs: ['services', 'shell'], action: type('spawn spin'), actionLabel: 'Type "spawn spin"' },
      { text: 'While spin runs, type into the terminal: the UART IRQ wakes the console (priority 24), which preempts spin at whatever instruction it was on; the shell (priority 10) answers at once, between two of spin\'s rounds.', highlight: 'terminal', needs: ['services', 'shell'], action: type('echo the shell still answers'), actionLabel: 'Type "echo the shell still answers"' },
      { text: 'Step to the next context switch and watch "thread" and "last entry" in the status bar: FIQ timer or IRQ 605 UART, then a switch.', highlight: 'status', needs: ['services', 'switch-trace'], action: stepUntil('switch'), actionLabel: 'Step to the next context switch' },
      { text: 'Run again: spin finishes its rounds and exits; init logs the exit.', highlight: 'terminal', action: run },
    ],
  },
  {
    id: 'irq',
    title: 'Notifications and interrupts',
    summary: 'A key press: UART IRQ 605 → the kernel signals the console driver\'s notification → the driver runs at EL0.',
    needs: ['services', 'shell', 'introspection'],
    steps: [
      { text: 'Device interrupts go to user-space drivers. The console driver holds the UART\'s IRQ handler capability and bound a notification to it; the interrupts panel shows the AIC lines, masked and pending.', panel: 'interrupts', highlight: 'dock' },
      {
        text: 'Pause, press a key (here: the command `ps`) and step to the next kernel entry: the AIC raises IRQ 605, the core takes it, and the status bar names it.',
        highlight: 'status',
        action: () => {
          pause();
          machine.input('ps\r');
          stepUntil('entry')();
        },
        actionLabel: 'Type "ps" and step to the next kernel entry',
      },
      { text: 'The kernel masks the line and signals the bound notification (an IRQ_USER trace record): the console driver, blocked on it, becomes runnable, reads the bytes, and acknowledges the IRQ, which unmasks it. Messages shows the signal.', panel: 'messages', highlight: 'dock', action: run },
      { text: 'The block driver works the same way with IRQ 700: `cat /etc/motd` makes fs ask blockdev for sectors, and the device\'s completion interrupt reaches blockdev as a notification.', highlight: 'terminal', action: type('cat /etc/motd'), actionLabel: 'Type "cat /etc/motd"' },
    ],
  },
  {
    id: 'restart',
    title: 'A driver crash and its restart',
    summary: 'Kill a service; init, the supervisor, notices and starts it again.',
    needs: ['services', 'shell', 'introspection'],
    steps: [
      { text: 'The processes panel lists the services init started. blockdev is the block-device driver: a user-space program holding the device\'s MMIO page and its IRQ.', panel: 'processes', highlight: 'dock' },
      { text: 'Kill it from the shell by its thread id (tid 3, as `ps` and the Processes panel show it). Its thread goes away; init, the supervisor, is told and starts a new instance from the boot image, with fresh capabilities to the same endpoints.', highlight: 'terminal', action: type('kill 3'), actionLabel: 'Type "kill 3"' },
      { text: 'The processes panel shows the new blockdev thread; `ps` in the shell shows the same new tid and counts the restart. Files still read: the file system simply calls the new driver.', panel: 'processes', highlight: 'dock', action: type('ps'), actionLabel: 'Type "ps"' },
      { text: 'Read a file through the new driver.', highlight: 'terminal', action: type('cat /etc/motd'), actionLabel: 'Type "cat /etc/motd"' },
    ],
  },
  {
    id: 'states',
    title: 'Scheduling and blocking states',
    summary: 'Why most threads are blocked, on what, and who runs next.',
    needs: ['services', 'introspection'],
    steps: [
      { text: 'The processes panel shows each thread\'s state as the kernel holds it: servers wait in receive on their endpoint (blocked_recv), a caller waits for its reply (blocked_reply), a driver waits on its notification. Only a runnable thread can be scheduled; the highest priority runs.', panel: 'processes', highlight: 'dock', action: run },
      { text: 'Start spin (priority 5): it is runnable whenever nothing above it is, so it gets the core only when every service is blocked.', highlight: 'terminal', needs: ['shell'], action: type('spawn spin'), actionLabel: 'Type "spawn spin"' },
      { text: 'Step to the next context switch: the status bar names the thread that now runs and why the kernel was entered.', highlight: 'status', needs: ['switch-trace'], action: stepUntil('switch'), actionLabel: 'Step to the next context switch' },
      { text: 'Run again and watch spin finish: its thread exits and leaves the table.', highlight: 'dock', panel: 'processes', action: run },
    ],
  },
  {
    id: 'network',
    title: 'Networking as services',
    summary: 'One ping between two machines: IPC inside each one (shell → net → netdrv → device) and frames on the wire between them.',
    needs: ['services', 'shell', 'ipc-trace'],
    steps: [
      {
        text: 'The Network view puts a second machine (10.0.0.2) on one Ethernet switch with this one (10.0.0.1); they advance in lockstep virtual time. Neither kernel knows what a network is: the NIC is a virtio-net device, its driver `netdrv` and the TCP/IP stack `net` are ordinary programs at EL0, started by init like the file system. Machine 2 boots first; its terminal shows its prompt.',
        panel: 'network',
        highlight: 'dock',
        action: () => {
          machine.startNetwork(2);
          run();
        },
      },
      {
        text: 'Pause, type `ping -c 1 10.0.0.2` into machine 1 and step to the next IPC: the key press reaches the console driver by its interrupt, and the shell gets the line by a message — the machine stops right after the kernel traced it.',
        highlight: 'step-ipc',
        action: () => {
          pause();
          machine.input('ping -c 1 10.0.0.2\r');
          stepUntil('ipc')();
        },
        actionLabel: 'Type the ping and step to the next IPC',
      },
      {
        text: 'Step on, IPC by IPC. The shell does not reach the NIC: it holds a capability to net\'s socket endpoint and calls it (`socket` protocol, docs/SERVICES.md). net builds the ICMP echo request — after an ARP request when its ARP cache does not hold 10.0.0.2\'s MAC address yet — and calls netdrv to transmit it (`netdev` protocol; the frame itself sits in a page the two share). The Messages panel names each call: shell → net, net → netdrv.',
        panel: 'messages',
        highlight: 'step-ipc',
        action: stepUntil('ipc'),
        actionLabel: 'Step to the next IPC',
      },
      {
        text: 'netdrv is the only program that holds the NIC\'s registers (a device frame) and its DMA window (an IOSpace capability): it puts the frame on the transmit virtqueue and writes the queue-notify register. The device raises IRQ 703; the kernel only turns that into a notification for netdrv (an IRQ_USER record). A bug in the stack or the driver crashes one process, which init restarts — never the kernel, which holds no protocol code at all.',
        panel: 'messages',
        highlight: 'dock',
        action: stepUntil('ipc'),
        actionLabel: 'Step to the next IPC',
      },
      {
        text: 'Run, and watch the wire: ARP (who has 10.0.0.2? — a broadcast — and machine 2\'s reply; each machine also announced itself when its link came up), then the ICMP echo request and the echo reply. On machine 2 the same path runs upward: the NIC\'s interrupt → its netdrv → its net, which answers the echo itself (no shell involved) and sends the reply back down through netdrv. Click a frame for its fields and bytes; Download pcap opens in Wireshark.',
        panel: 'network',
        highlight: 'dock',
        action: run,
      },
      {
        text: 'The reply went up machine 1\'s path the same way — device, netdrv, net — and net answered the shell\'s waiting call: the ping prints its round trip and the summary `1 packets transmitted, 1 received, 0% packet loss`. Try `get http://10.0.0.2/etc/motd` next: a TCP connection to machine 2\'s httpd, with its handshake on the wire.',
        highlight: 'terminal',
        action: run,
      },
    ],
  },
  {
    id: 'sandbox',
    title: 'Sandbox',
    summary: 'Free play: the machine is yours; every panel stays live.',
    needs: [],
    steps: [
      { text: 'Try anything: write files (`echo hi > /tmp/a`), spawn programs (`spawn hello`, `spawn spin`, `spawn faults`), kill services, compose messages to capabilities the agent holds, step the machine. Reset gives you a fresh machine and a blank disk.', highlight: 'terminal', action: type('echo sandbox ready'), actionLabel: 'Type "echo sandbox ready"' },
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
