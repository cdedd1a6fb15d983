// Memory types from MAIR_EL1 (Arm ARM B2.5.2 "Alignment of data accesses"): an unaligned access to
// Device memory is an alignment fault (DFSC 0x21) whatever the device; the same access to Normal
// memory that no device can take stays a synchronous external abort (DFSC 0x10).
import { describe, expect, test } from 'vitest';
import { EC, FSC, esr } from '../../hw/esr';
import { World, STACK_VA } from '../../tools/el0/harness';
import { Aic } from '../../hw/aic';
import { Clock } from '../../hw/clock';
import { Uart, ULCON } from '../../hw/uart';
import { UART0_BASE } from '../../hw/memmap';

import { wat } from '../el0/wat';

const DEV_VA = 0x4000; // the UART's page in the program's address space

async function loadAt(attrIndx: number, offset: number) {
  const w = new World({ ramSize: 16 << 20 });
  w.bus.map(new Uart(new Aic(new Clock())));
  const bin = await wat(`(module (memory 1)
    (func (export "f") (param i32) (result i32) (i32.load (local.get 0))))`);
  const inst = w.instantiate(bin, () => undefined);
  for (let p = 0; p < 64 * 1024; p += 4096) inst.mapPage(STACK_VA + p);
  inst.mapPhys(DEV_VA, UART0_BASE, attrIndx);
  inst.prepareCall(inst.exportedFunc('f'), [BigInt(DEV_VA + offset)]);
  w.core.run(1000);
  return w.core;
}

describe('memory types from MAIR', () => {
  test('an aligned 32-bit load from Device memory reads the register', async () => {
    const core = await loadAt(1, ULCON);
    expect(core.exception!.esr >>> 26).toBe(EC.SVC64);
    expect(core.regs[0]).toBe(3n); // ULCON reset value 8N1
  });

  test('a misaligned load from Device memory is an alignment fault (DFSC 0x21)', async () => {
    const core = await loadAt(1, ULCON + 2);
    expect(core.exception!.esr).toBe(esr(EC.DABT_LOW, FSC.ALIGNMENT));
    expect(core.exception!.far).toBe(DEV_VA + 2);
  });

  test('a misaligned load that crosses out of a Device page is an alignment fault too', async () => {
    const core = await loadAt(1, 0xffe);
    expect(core.exception!.esr).toBe(esr(EC.DABT_LOW, FSC.ALIGNMENT));
  });

  test('the same misaligned load through a Normal mapping is an external abort (DFSC 0x10)', async () => {
    const core = await loadAt(0, ULCON + 2);
    expect(core.exception!.esr).toBe(esr(EC.DABT_LOW, FSC.SYNC_EXTERNAL));
  });
});
