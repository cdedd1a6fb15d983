// More hostile programs: unmap under a running thread, bad IPC buffers, threads deleting their own
// CNode / TCB / VSpace, and busy loops against the scheduler (tests/hostile/programs).
import { beforeAll, describe, expect, it } from 'vitest';
import { kernel, programs } from '../kernel/mlk';
import { fuzzProgramDir } from '../../cli/fuzz';
import { attack } from './attack';

const dir = fuzzProgramDir;
const PROGRAMS = ['unmap', 'sharer', 'busy', 'spin', 'selfdel', 'victim', 'benign', 'ipcbuf', 'ipcuser'];

beforeAll(async () => {
  kernel();
  await programs(PROGRAMS, dir);
}, 300_000);

describe('hostile programs: threads, address spaces, scheduling', () => {
  it('unmap under a running thread: Frame.Unmap → VM fault to its handler, restart; VSpace.Unmap of a demand page → a fresh zero page', async () => {
    const b = await attack('unmap', ['sharer'], /unmapper: done/);
    const log = b.log();
    expect(log).toMatch(/unmap: done, 0 failures/);
    expect(log).toMatch(/unmapper: done, 0 failures/);
    expect(log).toMatch(/sharer: heap page came back as 0 after [1-9]\d*/);
    expect(b.json(0).find((t: any) => t.name === 'sharer').state).toBe('inactive');
  });

  it('busy loops: strict priority — init is woken by its timer, equal spinners round-robin, a lower one starves until they stop', async () => {
    const b = await attack('busy', ['spin'], /busy: done/);
    expect(b.log()).toMatch(/busy: done, 0 failures/);
    expect(b.log()).toMatch(/busy: counts [1-9]\d* [1-9]\d* 0\n/);
  });

  it('deleting your own CNode, TCB and VSpace while running: the victim stops or goes on cleanly, the others run', async () => {
    const b = await attack('selfdel', ['victim', 'benign'], /selfdel: done[\s\S]*benign: still fine/);
    const log = b.log();
    expect(log).toMatch(/selfdel: done, 0 failures/);
    expect(log).toMatch(/delcnode: done, 0 failures/);
    expect(log).toMatch(/delvspace: done, 0 failures/);
    expect(log).toContain('deltcb: deleting our own TCB');
    expect(log).toContain('delall: deleting our own TCB');
    // the threads whose TCB was destroyed are gone; the others exited
    const th = b.json(0);
    for (const n of ['deltcb', 'delall']) expect(th.map((t: any) => t.name)).not.toContain(n);
    for (const n of ['delcnode', 'delvspace']) expect(th.find((t: any) => t.name === n).state).toBe('exited');
  });

  it('IPC buffers: device frame, wrong cap, unaligned, straddling, beyond 2^48 refused; unmapped, guard-page and read-only ones cut long messages to registers', async () => {
    const b = await attack('ipcbuf', ['ipcuser'], /(?=[\s\S]*ipcbuf: done)(?:[\s\S]*ipcuser: call [^\n]*\n){4}/);
    const log = b.log();
    expect(log).toMatch(/ipcbuf: done, 0 failures/);
    // the usable buffer carries the 64-word reply; the three unusable ones get the registers only
    expect(log.match(/ipcuser: call 0, reply length 64, MR0 21, MR3 24/g)?.length).toBe(1);
    expect(log.match(/ipcuser: call 0, reply length 4, MR0 21, MR3 24/g)?.length).toBe(3);
  });
});
