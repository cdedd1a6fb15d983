// The page's first visit starts from the build's snapshot of the booted machine (build/boot/,
// host/bootSnapshot.ts): restoring it must give the machine a real boot gives — the same state
// hash, the same boot log — and a machine that goes on exactly as the really booted one does. The
// repeat visit's snapshot (`<variant>-repeat`) is the boot on the disk a first boot leaves.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryBlockStore } from '../../hw/blockdev';
import { Machine } from '../../hw/machine';
import { stateHash } from '../../hw/snapshot-format';
import { captureState, type FreshMachine } from '../../hw/snapshot';
import { murmur128 } from '../../hw/hash';
import { BOOT_DISK_SECTORS, BOOT_SLICE, bootToIdle, diskKey, restoreBootState, unbase64, type BootSnapshotMeta } from '../../host/bootSnapshot';
import { root } from '../services/asc';

const kernel = new Uint8Array(readFileSync(`${root}build/kernel.wasm`));
const bootImage = new Uint8Array(readFileSync(`${root}build/bootimage.cpio`));
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

async function restored(variant: string, bootargs: string, disk = new MemoryBlockStore(BOOT_DISK_SECTORS)): Promise<{ machine: Machine; meta: BootSnapshotMeta; fresh: FreshMachine }> {
  const meta = JSON.parse(readFileSync(`${root}build/boot/${variant}.json`, 'utf8')) as BootSnapshotMeta;
  const m = await Machine.create({ kernel, bootImage, disk, bootargs: bootargs || undefined });
  m.on('trace', () => {});
  const fresh = await restoreBootState(m, new Uint8Array(readFileSync(`${root}build/boot/${variant}.state`)), meta);
  return { machine: m, meta, fresh };
}

describe.skipIf(!existsSync(`${root}build/boot/plain.state`))('the boot snapshot', () => {
  for (const [variant, bootargs] of [['plain', ''], ['check', 'mlk.check=1']] as const) {
    it(`${variant}: restoring it gives the state hash and boot log of a real boot`, async () => {
      const real = await bootToIdle(kernel, bootImage, bootargs);
      const { machine, meta, fresh } = await restored(variant, bootargs);
      // the first checkpoint reads only the pages the restore says may be non-zero: the same RAM
      const pages = (fresh?: FreshMachine) => captureState(machine, undefined, fresh).ram.map((p) => p && murmur128(p));
      expect(pages(fresh)).toEqual(pages());
      expect(text(real.log)).toMatch(/mlk> $/); // the boot ended at the shell's prompt
      expect(stateHash(machine)).toBe(stateHash(real.machine));
      expect(meta.hash).toBe(stateHash(real.machine));
      expect(text(unbase64(meta.log))).toBe(text(real.log));
      expect(meta.mailbox).toEqual(real.mailbox);
      expect(real.mailbox.length).toBeGreaterThan(0); // the playground agent's hello
      expect(machine.instructions).toBe(real.machine.instructions);
    }, 120_000);
  }

  it('repeat: the snapshot of the boot on the disk a first boot leaves is that boot, disk included', async () => {
    const first = await bootToIdle(kernel, bootImage, '');
    const left = first.machine.block.store.read(0, BOOT_DISK_SECTORS);
    const real = await bootToIdle(kernel, bootImage, '', new MemoryBlockStore(left));
    const { machine, meta } = await restored('plain-repeat', '', new MemoryBlockStore(left));
    expect(meta.disk).toBe(diskKey(new MemoryBlockStore(left)));
    expect(text(real.log)).toMatch(/mlk> $/);
    expect(text(unbase64(meta.log))).toBe(text(real.log));
    expect(stateHash(machine)).toBe(stateHash(real.machine));
    // the mount boot writes (the superblock counts mounts): the restore leaves the disk as it left it
    expect(diskKey(machine.block.store)).toBe(diskKey(real.machine.block.store));
    expect(diskKey(machine.block.store)).not.toBe(meta.disk);
  }, 120_000);

  it('the restored machine goes on as the booted one does (typed commands: same output, same state)', async () => {
    const real = await bootToIdle(kernel, bootImage, '');
    const { machine } = await restored('plain', '');
    // interpreter only, both tiers cold: the translated code leaves other bits in unused stack-slot
    // halves than the interpreter (docs/TIMETRAVEL.md, "Departures"), so a warm machine and a
    // restored one behave alike but are hash-comparable only this way
    for (const m of [real.machine, machine]) {
      m.el0.invalidateCode();
      m.el0.jitThreshold = Infinity;
    }
    const outs = ['', ''];
    [real.machine, machine].forEach((m, i) => m.on('uart', (b) => { outs[i] += text(b); }));
    for (const m of [real.machine, machine]) {
      m.uartInput('echo saved > /home/f\r');
      for (let i = 0; i < 10; i++) m.run(BOOT_SLICE);
      m.uartInput('cat /home/f\r');
      for (let i = 0; i < 10; i++) m.run(BOOT_SLICE);
    }
    expect(outs[0]).toContain('saved');
    expect(outs[1]).toBe(outs[0]);
    expect(stateHash(machine)).toBe(stateHash(real.machine));
  }, 120_000);

  it('refuses a snapshot of another build', async () => {
    const meta = JSON.parse(readFileSync(`${root}build/boot/plain.json`, 'utf8')) as BootSnapshotMeta;
    const m = await Machine.create({ kernel, bootImage: bootImage.slice(0, -512), disk: new MemoryBlockStore(BOOT_DISK_SECTORS) });
    await expect(restoreBootState(m, new Uint8Array(readFileSync(`${root}build/boot/plain.state`)), meta)).rejects.toThrow(/another kernel or boot image/);
  });

  it('is used only on the disk it booted from', async () => {
    const disk = new MemoryBlockStore(BOOT_DISK_SECTORS);
    expect(diskKey(disk)).toBe('blank');
    disk.write(100, new Uint8Array(512).fill(1));
    expect(diskKey(disk)).toMatch(/^[0-9a-f]{32}$/);
    await expect(restored('plain', '', disk)).rejects.toThrow(/another disk/);
    await expect(restored('plain-repeat', '', new MemoryBlockStore(BOOT_DISK_SECTORS))).rejects.toThrow(/another disk/);
  });
});
