import { beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../hw/clock';
import { CNT_CTL_ENABLE, CNT_CTL_IMASK, CNT_CTL_ISTATUS, GenericTimer } from '../../hw/timer';
import { SYSREG } from '../../hw/sysregs';

describe('GenericTimer', () => {
  let clock: Clock;
  let t: GenericTimer;
  beforeEach(() => {
    clock = new Clock();
    t = new GenericTimer(clock);
  });

  it('counter and frequency registers', () => {
    expect(t.readSysreg(SYSREG.CNTFRQ_EL0)).toBe(24_000_000n);
    clock.advance(1234);
    expect(t.readSysreg(SYSREG.CNTPCT_EL0)).toBe(1234n);
    expect(t.readSysreg(SYSREG.CNTVCT_EL0)).toBe(1234n);
    // Read-only: writes are accepted as timer registers but ignored.
    expect(t.writeSysreg(SYSREG.CNTPCT_EL0, 5n)).toBe(true);
    expect(t.writeSysreg(SYSREG.CNTFRQ_EL0, 5n)).toBe(true);
    expect(t.readSysreg(SYSREG.CNTPCT_EL0)).toBe(1234n);
    expect(t.readSysreg(SYSREG.CNTFRQ_EL0)).toBe(24_000_000n);
  });

  it('is not every system register', () => {
    expect(t.readSysreg(SYSREG.SCTLR_EL1)).toBeUndefined();
    expect(t.writeSysreg(SYSREG.VBAR_EL1, 0n)).toBe(false);
  });

  it('fires at exactly CVAL: ISTATUS false at CVAL-1, true at CVAL', () => {
    t.writeSysreg(SYSREG.CNTP_CVAL_EL0, 1000n);
    t.writeSysreg(SYSREG.CNTP_CTL_EL0, BigInt(CNT_CTL_ENABLE));
    expect(t.nextDeadline()).toBe(1000);
    clock.advance(999);
    expect(t.readSysreg(SYSREG.CNTP_CTL_EL0)).toBe(BigInt(CNT_CTL_ENABLE));
    expect(t.fiqOutput()).toBe(false);
    clock.advance(1);
    expect(t.readSysreg(SYSREG.CNTP_CTL_EL0)).toBe(BigInt(CNT_CTL_ENABLE | CNT_CTL_ISTATUS));
    expect(t.fiqOutput()).toBe(true);
    expect(t.nextDeadline()).toBe(1000);
    // Moving CVAL into the future drops the output (what a handler does).
    t.writeSysreg(SYSREG.CNTP_CVAL_EL0, 5000n);
    expect(t.fiqOutput()).toBe(false);
    expect(t.nextDeadline()).toBe(5000);
  });

  it('ISTATUS is read-only', () => {
    t.writeSysreg(SYSREG.CNTV_CTL_EL0, BigInt(CNT_CTL_ENABLE | CNT_CTL_ISTATUS));
    t.writeSysreg(SYSREG.CNTV_CVAL_EL0, 10n);
    expect(t.readSysreg(SYSREG.CNTV_CTL_EL0)).toBe(BigInt(CNT_CTL_ENABLE));
  });

  it('IMASK masks the output but ISTATUS is still set', () => {
    t.writeSysreg(SYSREG.CNTV_CVAL_EL0, 10n);
    t.writeSysreg(SYSREG.CNTV_CTL_EL0, BigInt(CNT_CTL_ENABLE | CNT_CTL_IMASK));
    clock.advance(20);
    expect(t.readSysreg(SYSREG.CNTV_CTL_EL0)).toBe(BigInt(CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS));
    expect(t.fiqOutput()).toBe(false);
    expect(t.nextDeadline()).toBe(Infinity);
    t.writeSysreg(SYSREG.CNTV_CTL_EL0, BigInt(CNT_CTL_ENABLE));
    expect(t.fiqOutput()).toBe(true);
    expect(t.nextDeadline()).toBe(20);
  });

  it('a disabled timer never fires', () => {
    t.writeSysreg(SYSREG.CNTP_CVAL_EL0, 0n);
    expect(t.fiqOutput()).toBe(false);
    expect(t.readSysreg(SYSREG.CNTP_CTL_EL0)).toBe(0n);
    expect(t.nextDeadline()).toBe(Infinity);
  });

  it('TVAL write sets CVAL = counter + sign-extended value; read is CVAL - counter as s32', () => {
    clock.advance(10_000);
    t.writeSysreg(SYSREG.CNTP_TVAL_EL0, 500n);
    expect(t.readSysreg(SYSREG.CNTP_CVAL_EL0)).toBe(10_500n);
    expect(t.readSysreg(SYSREG.CNTP_TVAL_EL0)).toBe(500n);
    clock.advance(700);
    const tv = t.readSysreg(SYSREG.CNTP_TVAL_EL0)!;
    expect(BigInt.asIntN(32, tv)).toBe(-200n);
    expect(tv).toBe(0xffffff38n); // bits [63:32] RES0
    // Negative write: 0xFFFFFF9C = -100 (upper bits of the written value are ignored).
    t.writeSysreg(SYSREG.CNTP_TVAL_EL0, 0xdead_0000_ffff_ff9cn);
    expect(t.readSysreg(SYSREG.CNTP_CVAL_EL0)).toBe(10_600n);
    t.writeSysreg(SYSREG.CNTP_CTL_EL0, 1n);
    expect(t.fiqOutput()).toBe(true);
  });

  it('TVAL wraps modulo 2^64 and read truncates to 32 bits', () => {
    t.writeSysreg(SYSREG.CNTV_TVAL_EL0, BigInt(-5 >>> 0));
    expect(t.readSysreg(SYSREG.CNTV_CVAL_EL0)).toBe(0xffff_ffff_ffff_fffbn);
    t.writeSysreg(SYSREG.CNTV_CVAL_EL0, 0x1_0000_0010n);
    expect(t.readSysreg(SYSREG.CNTV_TVAL_EL0)).toBe(0x10n);
  });

  it('compares CVAL as unsigned 64-bit exactly', () => {
    clock.advance(2 ** 40);
    t.writeSysreg(SYSREG.CNTP_CTL_EL0, 1n);
    t.writeSysreg(SYSREG.CNTP_CVAL_EL0, 0xffff_ffff_ffff_ffffn); // huge: never
    expect(t.fiqOutput()).toBe(false);
    expect(t.nextDeadline()).toBe(Infinity);
    t.writeSysreg(SYSREG.CNTP_CVAL_EL0, BigInt(2 ** 40 + 1));
    expect(t.fiqOutput()).toBe(false);
    expect(t.nextDeadline()).toBe(2 ** 40 + 1);
    clock.advance(1);
    expect(t.fiqOutput()).toBe(true);
  });

  it('nextDeadline is the earlier of the two timers', () => {
    t.writeSysreg(SYSREG.CNTP_CVAL_EL0, 300n);
    t.writeSysreg(SYSREG.CNTV_CVAL_EL0, 200n);
    t.writeSysreg(SYSREG.CNTP_CTL_EL0, 1n);
    expect(t.nextDeadline()).toBe(300);
    t.writeSysreg(SYSREG.CNTV_CTL_EL0, 1n);
    expect(t.nextDeadline()).toBe(200);
    clock.advance(250);
    expect(t.nextDeadline()).toBe(250); // virt already firing
    expect(t.state().virt.firing).toBe(true);
  });

  it('snapshot/restore round-trips through JSON', () => {
    t.writeSysreg(SYSREG.CNTP_CVAL_EL0, 0xffff_0000_0000_0001n);
    t.writeSysreg(SYSREG.CNTV_CTL_EL0, 3n);
    t.writeSysreg(SYSREG.CNTKCTL_EL1, 3n);
    const u = new GenericTimer(clock);
    u.restore(JSON.parse(JSON.stringify(t.snapshot())));
    expect(u.readSysreg(SYSREG.CNTP_CVAL_EL0)).toBe(0xffff_0000_0000_0001n);
    expect(u.readSysreg(SYSREG.CNTV_CTL_EL0)).toBe(7n); // CVAL 0 has passed: ISTATUS
    expect(u.readSysreg(SYSREG.CNTKCTL_EL1)).toBe(3n);
    expect(JSON.parse(JSON.stringify(u.state()))).toEqual(JSON.parse(JSON.stringify(t.state())));
  });
});
