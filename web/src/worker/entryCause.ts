// The cause of the last kernel entry, in words (status bar): from the vector the core took, ESR_EL1
// for a synchronous exception, and what the kernel traced during that entry (SYSCALL nr, IRQ number).
// Everything here is read from the machine; the names are the Arm ARM's and abi/syscalls.json's.

import { EC, VECTOR, esrEc, esrIss } from '../../../hw/esr';
import { BLOCK_IRQ, MAILBOX_IRQ, UART0_IRQ } from '../../../hw/memmap';
import { ABI_GROUPS, SVC_EXIT, SVC_IMPORT_BASE } from '../../../host/abi';

/** What the kernel traced during one entry (kernelEntries at the time, and the records of interest). */
export interface EntryNote {
  entry: number;
  syscall?: number;
  irq?: number;
}

/** Syscall names by number, as abi/syscalls.json spells them ("call", "replyrecv", "putchar"…). */
export const SYSCALL_NAMES: string[] = [];
for (const s of ABI_GROUPS.syscalls) SYSCALL_NAMES[s.value] = s.label ?? s.name.toLowerCase();
const IRQ_NAMES: Record<number, string> = { [UART0_IRQ]: 'UART', [BLOCK_IRQ]: 'block device', [MAILBOX_IRQ]: 'host mailbox' };

export const syscallName = (nr: number): string => SYSCALL_NAMES[nr] ?? `syscall ${nr}`;

/** e.g. "SVC call", "FIQ timer", "IRQ 605 UART", "data abort (write) at 0x10000", "kmain (reset)". */
export function entryCause(vector: number, esr: number, far: bigint, note: EntryNote | null): string {
  switch (vector) {
    case -1:
      return 'kmain (reset)';
    case VECTOR.LOWER_FIQ:
    case VECTOR.CUR_SPX_FIQ:
      return `FIQ timer${vector === VECTOR.CUR_SPX_FIQ ? ' (from idle)' : ''}`;
    case VECTOR.LOWER_IRQ:
    case VECTOR.CUR_SPX_IRQ: {
      const irq = note?.irq;
      const from = vector === VECTOR.CUR_SPX_IRQ ? ' (from idle)' : '';
      return irq === undefined ? `IRQ${from}` : `IRQ ${irq}${IRQ_NAMES[irq] ? ` ${IRQ_NAMES[irq]}` : ''}${from}`;
    }
    case VECTOR.LOWER_SYNC:
    case VECTOR.CUR_SPX_SYNC: {
      const ec = esrEc(esr);
      const at = `0x${far.toString(16)}`;
      if (ec === EC.SVC64) {
        const imm = esrIss(esr) & 0xffff;
        if (imm === SVC_EXIT) return 'SVC exit (returned from the outermost frame)';
        if (imm >= SVC_IMPORT_BASE) return `SVC host import ${imm - SVC_IMPORT_BASE}`;
        return note?.syscall !== undefined ? `SVC ${syscallName(note.syscall)}` : 'SVC';
      }
      if (ec === EC.DABT_LOW || ec === EC.DABT_CUR) return `data abort (${esr & (1 << 6) ? 'write' : 'read'}) at ${at}`;
      if (ec === EC.IABT_LOW || ec === EC.IABT_CUR) return `instruction abort at ${at}`;
      if (ec === EC.UNKNOWN) return `WebAssembly trap ${esrIss(esr)}`;
      return `synchronous exception EC 0x${ec.toString(16)}`;
    }
    default:
      return `vector 0x${vector.toString(16)}`;
  }
}
