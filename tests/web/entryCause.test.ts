// The status bar's "cause of the last kernel entry", from a real machine: the vector it took,
// ESR_EL1 and the kernel's trace records during that entry.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../hw/machine';
import { EC, VECTOR, esr } from '../../hw/esr';
import { SYSREG } from '../../hw/sysregs';
import { SYS_REPLY_RECV, TRACE_IRQ, TRACE_SYSCALL } from '../../host/abi';
import { entryCause, type EntryNote } from '../../web/src/worker/entryCause';
import { replyTo, unescapeArg } from '../../web/src/protocols';

describe('entryCause', () => {
  it('names vectors, syscalls, IRQs and aborts', () => {
    expect(entryCause(-1, 0, 0n, null)).toBe('kmain (reset)');
    expect(entryCause(VECTOR.LOWER_FIQ, 0, 0n, null)).toBe('FIQ timer');
    expect(entryCause(VECTOR.CUR_SPX_IRQ, 0, 0n, { entry: 1, irq: 605 })).toBe('IRQ 605 UART (from idle)');
    expect(entryCause(VECTOR.LOWER_SYNC, esr(EC.SVC64, 0), 0n, { entry: 1, syscall: SYS_REPLY_RECV })).toBe('SVC replyrecv');
    expect(entryCause(VECTOR.LOWER_SYNC, esr(EC.DABT_LOW, 0x47), 0x4080740000n, null)).toBe('data abort (write) at 0x4080740000');
    expect(entryCause(VECTOR.LOWER_SYNC, esr(EC.DABT_LOW, 0x07), 0n, null)).toBe('data abort (read) at 0x0');
  });

  it('follows a booted machine: every entry after boot has a named cause', async () => {
    const m = await Machine.create({ kernel: readFileSync('build/kernel.wasm'), bootImage: readFileSync('build/bootimage.cpio') });
    let note: EntryNote = { entry: -1 };
    m.on('trace', (r) => {
      if (r.kind !== TRACE_SYSCALL && r.kind !== TRACE_IRQ) return;
      if (note.entry !== m.kernelEntries) note = { entry: m.kernelEntries };
      if (r.kind === TRACE_SYSCALL) note.syscall = r.args[1];
      else note.irq = r.args[0];
    });
    const seen = new Set<string>();
    const look = () => {
      const cause = entryCause(m.lastVector, Number(m.cpu.reg(SYSREG.ESR_EL1) & 0xffffffffn), m.cpu.reg(SYSREG.FAR_EL1), note.entry === m.kernelEntries ? note : null);
      expect(cause).not.toMatch(/^vector|synchronous exception/);
      seen.add(cause.split(' ').slice(0, 2).join(' '));
    };
    let entries = -1;
    for (let i = 0; i < 2_000_000 && !(seen.has('SVC call') && m.idleFor() > 0); i++) {
      m.step();
      if (m.kernelEntries !== entries) { entries = m.kernelEntries; look(); }
    }
    m.uartInput('x');
    for (let i = 0; i < 100 && !seen.has('IRQ 605'); i++) {
      m.step();
      if (m.kernelEntries !== entries) { entries = m.kernelEntries; look(); }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['kmain (reset)', 'SVC call', 'IRQ 605']));
  });
});

describe('replies and arguments', () => {
  it('a reply to an unknown label reads the same in the composer and the messages panel', () => {
    expect(replyTo(0x9999, 0, [])).toBe('ok');
    expect(replyTo(0x9999, 3, [5n])).toMatch(/^err\(\w+\) \[0x5\]$/);
  });
  it('string arguments take \\n for a newline', () => {
    expect(unescapeArg('a\\nb\\tc\\\\d')).toBe('a\nb\tc\\d');
  });
});
