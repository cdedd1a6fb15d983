// The GPIO bank of the driver exercise, drawn from the device's own state (hw/gpio-pl061.ts
// state(), sent by the machine Worker with every status): four LEDs (lines 0–3) and four buttons
// (lines 4–7). A button is held while the mouse or a key holds it down; the press is an outside
// input of the machine, like a typed key, so it is recorded and replayed with the others.
import { machine, useMachineStatus } from '../machineClient';

export function GpioStrip() {
  const gpio = useMachineStatus().hw.gpio;
  if (!gpio) return null;
  const hold = (i: number, down: boolean) => machine.gpioButton(i, down);
  return (
    <div className="code-gpio" data-testid="gpio-strip" aria-label="GPIO bank: LEDs and buttons">
      <span className="dim">GPIO</span>
      {gpio.leds.map((on, i) => (
        <span key={`led${i}`} className={`gpio-led${on ? ' on' : ''}`} title={`LED ${i} (line ${i})`} data-testid={`gpio-led-${i}`} data-on={on ? '1' : '0'} />
      ))}
      {gpio.buttons.map((down, i) => (
        <button key={`btn${i}`} className={down ? 'down' : ''} title={`button ${i} (line ${4 + i}): held while pressed`} data-testid={`gpio-button-${i}`}
          onPointerDown={() => hold(i, true)} onPointerUp={() => hold(i, false)} onPointerLeave={() => { if (down) hold(i, false); }}
          onKeyDown={(e) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) hold(i, true); }}
          onKeyUp={(e) => { if (e.key === ' ' || e.key === 'Enter') hold(i, false); }}>
          {i}
        </button>
      ))}
      <span className="dim" title="the interrupt line (GPIOMIS != 0)">irq {gpio.line ? 'high' : 'low'}</span>
    </div>
  );
}
