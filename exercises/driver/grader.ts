import { fail, pass, type ExerciseDef, type GradeContext } from '../types';
import { TRACE } from '../../web/src/code/session';
import { CNTFRQ, GPIO_IRQ } from '../../hw/memmap';
import { exitNote } from '../util';

/** The buttons pressed, in order; each toggles its LED. */
const PRESSES = [0, 0, 2, 1, 3, 2];
/** How long a button is held, and left released, in virtual seconds. */
const HOLD = 0.05;
/** CPU a driver that waits spends in 0.3 s with no button pressed: none; allow one 10 ms tick. */
const SPIN_TICKS = CNTFRQ / 100;

const ledText = (leds: boolean[]) => `[${leds.map((l) => (l ? 'on' : 'off')).join(', ')}]`;

function cpuTicks(ctx: GradeContext): number | undefined {
  return ctx.session.threads().find((x) => x.tid === ctx.run.tid)?.cpu_ticks;
}

const driver: ExerciseDef = {
  id: 'driver',
  title: 'Interrupt-driven driver: LEDs and buttons',
  grants: ['endpoint', 'gpio'],
  wrong: [
    { file: 'wrong-noack.ts', reason: /irqAck/ },
    { file: 'wrong-poll.ts', reason: /poll/ },
    { file: 'wrong-noclear.ts', reason: /GPIOIC/ },
  ],
  grade(ctx) {
    const s = ctx.session;
    const m = s.machine;
    s.settle(0.05); // the driver sets the device up
    const irqs = (from: number) => s.records(TRACE.IRQ_USER, from).filter((r) => r.args[0] === GPIO_IRQ).length;
    // LEDs toggle: expected from where they stand (an earlier driver may have left some lit)
    const expected = [...m.gpio.state().leds];
    for (let n = 0; n < PRESSES.length; n++) {
      const b = PRESSES[n];
      const from = s.trace.length;
      m.gpioButton(b, true);
      s.settle(HOLD);
      m.gpioButton(b, false);
      s.settle(HOLD);
      expected[b] = !expected[b];
      const got = m.gpio.state();
      const count = irqs(from);
      const what = `after press ${n + 1} (button ${b})`;
      if (count > 2) return fail(`${what} your driver received ${count} interrupts for one press: the edge stays latched until you clear it in the device (write its bits to GPIOIC) before irqAck, so the line fires again at once`);
      if (got.leds.every((l, i) => l === expected[i])) continue;
      if (count === 0) {
        if (n === 0) {
          if ((got.dir & 0x0f) !== 0x0f) return fail(`${what} the LEDs are ${ledText(got.leds)}: the LED lines 0-3 are not outputs (GPIODIR = 0x${got.dir.toString(16)})`);
          if ((got.ie & 0xf0) === 0) return fail(`${what} the device raised no interrupt: enable the button lines in GPIOIE (and pick the rising edge in GPIOIEV); if you poll the buttons instead, wait for the interrupt in recv`);
          return fail(`${what} no interrupt reached your driver (${exitNote(ctx)})`);
        }
        return fail(`${what} no interrupt reached your driver, though the device raised one (GPIOMIS = 0x${got.mis.toString(16)}): the kernel masks the line when it delivers an interrupt; call irqAck(SLOT_IRQ) when you have served it`);
      }
      return fail(`${what} the LEDs are ${ledText(got.leds)}, expected ${ledText(expected)} (each press of button i toggles LED i: GPIODATA at 0x3fc)`);
    }
    // nothing happens now: a driver that waits uses no CPU
    const before = cpuTicks(ctx);
    s.settle(0.3);
    const after = cpuTicks(ctx);
    if (before === undefined || after === undefined) return fail(`your driver stopped (${exitNote(ctx)})`);
    if (after - before > SPIN_TICKS) {
      return fail(`your driver used ${((after - before) / CNTFRQ * 1000).toFixed(0)} ms of CPU in 0.3 s with no button pressed: it polls; wait in recv for the interrupt instead`);
    }
    if (irqs(0) === 0) return fail('the LEDs followed the buttons but no interrupt reached your driver: it polls; wait in recv for the interrupt instead');
    return pass();
  },
};
export default driver;
