// The block device's backing store in Node: a disk image file, so that what the file system writes
// survives a reboot of the machine (`mlk boot --disk FILE`). Writes go through to the file at once;
// the image is created blank (zeros) at the requested size when missing.

import { closeSync, existsSync, fstatSync, ftruncateSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { BLOCK_SECTOR_SIZE, type BlockStore } from '../hw/blockdev';

export class FileBlockStore implements BlockStore {
  readonly sectors: number;
  private readonly fd: number;

  constructor(readonly path: string, sectorsIfNew = 8192) {
    const fresh = !existsSync(path);
    this.fd = openSync(path, fresh ? 'w+' : 'r+');
    if (fresh) ftruncateSync(this.fd, sectorsIfNew * BLOCK_SECTOR_SIZE);
    const size = fstatSync(this.fd).size;
    if (size % BLOCK_SECTOR_SIZE !== 0 || size === 0) throw new Error(`${path}: a disk image must be a non-empty whole number of ${BLOCK_SECTOR_SIZE}-byte sectors (it is ${size} bytes)`);
    this.sectors = size / BLOCK_SECTOR_SIZE;
  }

  read(sector: number, count: number): Uint8Array {
    this.check(sector, count);
    const out = new Uint8Array(count * BLOCK_SECTOR_SIZE);
    readSync(this.fd, out, 0, out.length, sector * BLOCK_SECTOR_SIZE);
    return out;
  }

  write(sector: number, data: Uint8Array): void {
    if (data.length % BLOCK_SECTOR_SIZE !== 0) throw new RangeError('FileBlockStore.write: partial sector');
    this.check(sector, data.length / BLOCK_SECTOR_SIZE);
    writeSync(this.fd, data, 0, data.length, sector * BLOCK_SECTOR_SIZE);
  }

  flush(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }

  private check(sector: number, count: number): void {
    if (sector < 0 || count < 0 || sector + count > this.sectors) throw new RangeError(`${this.path}: sectors ${sector}+${count} beyond ${this.sectors}`);
  }
}
