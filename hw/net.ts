// Machines on a wire: N machines, each NIC (hw/virtio-net.ts) on a port of one Ethernet switch
// (hw/switch.ts), advanced in lockstep virtual time. Every machine runs to the same quantum
// boundary; the frames transmitted during the quantum (stamped with their sender's virtual time)
// are then forwarded and delivered at the boundary. A machine never sees a frame before the
// quantum in which it was sent ends, so what each machine observes depends only on virtual time,
// and a networked run is as deterministic as a single machine (docs/NETWORK.md).

import type { Machine } from './machine';
import { CNTFRQ } from './memmap';
import { EthernetSwitch, type SwitchOptions } from './switch';

/** Default quantum: 100 virtual microseconds (2400 counter ticks), the wire's worst-case latency. */
export const NET_QUANTUM = CNTFRQ / 10_000;

export class Network {
  readonly switch: EthernetSwitch;
  /** The boundary all machines have reached (counter ticks). */
  time = 0;

  constructor(readonly machines: Machine[], opts: SwitchOptions & { quantum?: number } = {}, readonly quantum = opts.quantum ?? NET_QUANTUM) {
    if (!(quantum >= 1)) throw new RangeError(`Network: quantum ${quantum}`);
    this.switch = new EthernetSwitch(machines.length, opts);
    machines.forEach((m, port) => {
      m.net.onTransmit = (frame) => this.switch.ingress(port, frame, m.clock.ticks);
      m.net.setLink(true);
    });
    this.time = Math.max(0, ...machines.map((m) => m.clock.ticks));
  }

  /**
   * A quantum a machine left early (its host set Machine.stopRequested: a breakpoint, a step to the
   * next IPC): the next step() finishes it before the switch delivers, so stopping changes nothing.
   */
  private held: number | null = null;

  /** Runs every machine up to `ticks` more virtual time, quantum by quantum; returns false when a machine's host stopped it early. */
  run(ticks: number): boolean {
    const end = this.time + ticks;
    while (this.time < end) if (!this.step(Math.min(this.quantum, end - this.time))) return false;
    return true;
  }

  /** One quantum: each machine (in order) runs to the boundary, then the switch delivers; false when it was held (see `held`). */
  step(quantum = this.quantum): boolean {
    const boundary = this.held ?? this.time + quantum;
    let stopped = false;
    for (const m of this.machines) {
      if (m.halted) continue;
      const budget = boundary - m.clock.ticks;
      if (budget > 0) m.run(budget);
      stopped ||= m.stopRequested && m.clock.ticks < boundary && !m.halted;
    }
    this.held = stopped ? boundary : null;
    if (stopped) return false;
    this.time = boundary;
    for (const d of this.switch.forward()) {
      const m = this.machines[d.port];
      if (!m.halted) m.net.receive(d.frame);
    }
    return true;
  }
}
