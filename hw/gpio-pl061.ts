// "arm,pl061": an ARM PrimeCell PL061 GPIO controller, 8 lines, with the board the driver exercise
// wires to it: lines 0–3 drive LEDs (outputs), lines 4–7 read push buttons (inputs, high while
// pressed). Why this part: it is a small real interrupt-capable peripheral with a mainline Linux
// driver (drivers/gpio/gpio-pl061.c), unlike the t8103's own GPIO/pinctrl (apple,pinctrl: several
// hundred pins behind AIC lines in groups) or its RTC (in the SMC, behind the RTKit mailbox
// protocol) — neither fits a first driver. docs/EXERCISES.md "driver".
//
// Registers (ARM DDI 0190B, offsets from GPIO_BASE; 8 bits used, upper bits read 0):
//   0x000–0x3FC GPIODATA  RW  address bits [9:2] are a mask: a read returns the lines in the mask
//                             (inputs: the pin level, outputs: the value driven), a write changes
//                             only the output lines in the mask
//   0x400 GPIODIR   RW  1 = output
//   0x404 GPIOIS    RW  interrupt sense: 1 = level, 0 = edge
//   0x408 GPIOIBE   RW  edge: 1 = both edges (GPIOIEV ignored)
//   0x40C GPIOIEV   RW  1 = rising edge / high level, 0 = falling edge / low level
//   0x410 GPIOIE    RW  interrupt mask: 1 = the line may interrupt
//   0x414 GPIORIS   RO  raw interrupt status (edges are latched whatever GPIOIE says)
//   0x418 GPIOMIS   RO  GPIORIS & GPIOIE
//   0x41C GPIOIC    WO  1 = clear that line's latched edge (no effect on a level interrupt)
//   0x420 GPIOAFSEL RW  kept, no effect (no hardware control mode on this board)
//   0xFE0–0xFFC     RO  PeriphID0–3 = 0x61 0x10 0x04 0x00, PCellID0–3 = 0x0D 0xF0 0x05 0xB1 (AMBA id 0x00041061)
// The interrupt output (AIC IRQ 704) is level-high while GPIOMIS != 0, as the PL061's GPIOINTR.
// Departures: the registers take 32-bit accesses only, like every device of this bus (the PL061
// also takes byte accesses); buttons are host input (press/release), debounced and synchronous.

import type { Aic } from './aic';
import type { MmioDevice } from './bus';
import { GPIO_BASE, GPIO_IRQ, GPIO_SIZE } from './memmap';

export const GPIO_LINES = 8;
/** The board: LEDs on lines 0–3, buttons on lines 4–7. */
export const GPIO_LEDS = 4;
export const GPIO_BUTTON_FIRST = 4;

const DIR = 0x400, IS = 0x404, IBE = 0x408, IEV = 0x40c, IE = 0x410, RIS = 0x414, MIS = 0x418, IC = 0x41c, AFSEL = 0x420;
const IDS = [0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export interface GpioState {
  /** Lines driven high (outputs) and pin levels, bit i = line i. */
  out: number; pins: number; dir: number;
  ris: number; mis: number; ie: number;
  /** The interrupt line's level. */
  line: boolean;
  /** LED i lit (line i an output driven high). */
  leds: boolean[];
  /** Button i held down. */
  buttons: boolean[];
}

export class GpioPl061 implements MmioDevice {
  readonly name = 'gpio';
  readonly size = GPIO_SIZE;
  private data = 0; // the output latch
  private buttons = 0; // levels of the button pins (bits 4–7)
  private dir = 0;
  private is = 0;
  private ibe = 0;
  private iev = 0;
  private ie = 0;
  private ris = 0;
  private afsel = 0;
  /** Called when an LED changes (the page redraws from state()). */
  onChange: (() => void) | null = null;

  constructor(private readonly aic: Aic, readonly base = GPIO_BASE, readonly irq = GPIO_IRQ) {
    this.aic.setLine(this.irq, false);
  }

  /** The level of every pin: outputs show the latch, inputs the buttons (an unconnected input reads 0). */
  private pins(): number {
    return ((this.data & this.dir) | (this.buttons & ~this.dir)) & 0xff;
  }

  /** Host side: button `i` (0–3, line 4+i) pressed (true) or released (false). */
  setButton(i: number, down: boolean): void {
    if (!Number.isInteger(i) || i < 0 || i >= GPIO_LINES - GPIO_BUTTON_FIRST) throw new RangeError(`GpioPl061.setButton: no button ${i}`);
    const before = this.pins();
    const bit = 1 << (GPIO_BUTTON_FIRST + i);
    this.buttons = down ? this.buttons | bit : this.buttons & ~bit;
    this.sense(before, this.pins());
    this.onChange?.();
  }

  /** Host side: a press and release of button `i` (both edges). */
  click(i: number): void {
    this.setButton(i, true);
    this.setButton(i, false);
  }

  /** Latches the edges between two pin states and re-drives the interrupt line. */
  private sense(before: number, after: number): void {
    const changed = (before ^ after) & ~this.is & ~this.dir;
    const rising = changed & after, falling = changed & before;
    this.ris |= (changed & this.ibe) | (rising & ~this.ibe & this.iev) | (falling & ~this.ibe & ~this.iev);
    this.update();
  }

  /** Level interrupts follow the pins; the output is GPIOMIS != 0. */
  private rawStatus(): number {
    const pins = this.pins();
    const level = this.is & ~this.dir & ~(pins ^ this.iev);
    return ((this.ris & ~this.is) | level) & 0xff;
  }

  private update(): void {
    this.aic.setLine(this.irq, (this.rawStatus() & this.ie) !== 0);
  }

  read32(offset: number): number {
    if (offset < DIR) return this.pins() & ((offset >> 2) & 0xff);
    if (offset >= 0xfe0) return IDS[(offset - 0xfe0) >> 2];
    switch (offset) {
      case DIR: return this.dir;
      case IS: return this.is;
      case IBE: return this.ibe;
      case IEV: return this.iev;
      case IE: return this.ie;
      case RIS: return this.rawStatus();
      case MIS: return this.rawStatus() & this.ie;
      case AFSEL: return this.afsel;
      default: return 0;
    }
  }

  write32(offset: number, value: number): void {
    const v = value & 0xff;
    const before = this.pins();
    if (offset < DIR) {
      const mask = (offset >> 2) & 0xff & this.dir;
      this.data = (this.data & ~mask) | (v & mask);
    } else {
      switch (offset) {
        case DIR: this.dir = v; break;
        case IS: this.is = v; break;
        case IBE: this.ibe = v; break;
        case IEV: this.iev = v; break;
        case IE: this.ie = v; break;
        case IC: this.ris &= ~v; break;
        case AFSEL: this.afsel = v; break;
        default: return; // read-only or reserved: ignored
      }
    }
    this.sense(before, this.pins());
    if (offset < DIR || offset === DIR) this.onChange?.();
  }

  state(): GpioState {
    const pins = this.pins();
    const ris = this.rawStatus();
    const leds: boolean[] = [], buttons: boolean[] = [];
    for (let i = 0; i < GPIO_LEDS; i++) leds.push((this.dir & (1 << i)) !== 0 && (this.data & (1 << i)) !== 0);
    for (let i = 0; i < GPIO_LINES - GPIO_BUTTON_FIRST; i++) buttons.push((this.buttons & (1 << (GPIO_BUTTON_FIRST + i))) !== 0);
    return { out: this.data & this.dir, pins, dir: this.dir, ris, mis: ris & this.ie, ie: this.ie, line: (ris & this.ie) !== 0, leds, buttons };
  }

  snapshot(): unknown {
    return { data: this.data, buttons: this.buttons, dir: this.dir, is: this.is, ibe: this.ibe, iev: this.iev, ie: this.ie, ris: this.ris, afsel: this.afsel };
  }

  restore(s: unknown): void {
    const v = s as Record<string, unknown>;
    const keys = ['data', 'buttons', 'dir', 'is', 'ibe', 'iev', 'ie', 'ris', 'afsel'] as const;
    if (typeof v !== 'object' || v === null || !keys.every((k) => Number.isInteger(v[k]) && (v[k] as number) >= 0 && (v[k] as number) <= 0xff)) {
      throw new Error('GpioPl061.restore: bad snapshot');
    }
    this.data = v.data as number; this.buttons = v.buttons as number; this.dir = v.dir as number;
    this.is = v.is as number; this.ibe = v.ibe as number; this.iev = v.iev as number;
    this.ie = v.ie as number; this.ris = v.ris as number; this.afsel = v.afsel as number;
    this.update();
  }
}
