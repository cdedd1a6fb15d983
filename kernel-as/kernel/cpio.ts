// cpio.ts — the boot image: a cpio "newc" archive (Linux Documentation/filesystems/ramfs-rootfs-
// initramfs.rst; host/cpio.mjs writes it). 110-byte ASCII header "070701" + 13 hex fields,
// the name (NUL-terminated, padded to 4), then the data (padded to 4); ends with "TRAILER!!!".
// The kernel indexes the files once at boot; file i is (pa, size, name).

import { DRAM_BASE } from "../arch";

const MAX_FILES: i32 = 32;
export const NAME_MAX: i32 = 40;
// per file: pa u64, size u32, nameLen u32, name[40]
const FILE_BYTES: usize = 56;
const files: usize = memory.data(<i32>(MAX_FILES * <i32>FILE_BYTES), 8);
export let nFiles: i32 = 0;
export let imageStart: u64 = 0;
export let imageEnd: u64 = 0;

function hex8(p: usize): i64 {
  let v: i64 = 0;
  for (let i: usize = 0; i < 8; i++) {
    let c = <i32>load<u8>(p + i);
    let d: i32;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    v = (v << 4) | <i64>d;
  }
  return v;
}

/** Indexes the archive in [start, end). Returns the number of files (stops at a malformed entry). */
export function cpioIndex(start: u64, end: u64): i32 {
  nFiles = 0;
  imageStart = start;
  imageEnd = end;
  if (start == 0 || end <= start) return 0;
  let p = start;
  while (p + 110 <= end && nFiles < MAX_FILES) {
    let h = <usize>(p - DRAM_BASE);
    // magic "070701"
    if (load<u32>(h) != 0x37303730 || load<u16>(h + 4) != 0x3130) break;
    let size = hex8(h + 6 + 6 * 8);
    let nameLen = hex8(h + 6 + 11 * 8);
    if (size < 0 || nameLen <= 0 || nameLen > 4096) break;
    let nameAt = p + 110;
    let data = (nameAt + <u64>nameLen + 3) & ~(<u64>3);
    if (data + <u64>size > end) break;
    let n = <usize>(nameAt - DRAM_BASE);
    if (nameLen == 11 && memcmp(n, "TRAILER!!!")) break;
    let f = files + <usize>nFiles * FILE_BYTES;
    store<u64>(f, data);
    store<u32>(f + 8, <u32>size);
    let nl = min(<i32>nameLen - 1, NAME_MAX - 1);
    store<u32>(f + 12, <u32>nl);
    memory.fill(f + 16, 0, NAME_MAX);
    memory.copy(f + 16, n, nl);
    nFiles++;
    p = (data + <u64>size + 3) & ~(<u64>3);
  }
  return nFiles;
}

function memcmp(p: usize, s: string): bool {
  for (let i = 0; i < s.length; i++) if (<i32>load<u8>(p + i) != s.charCodeAt(i)) return false;
  return true;
}

export function filePa(i: i32): u64 { return load<u64>(files + <usize>i * FILE_BYTES); }
export function fileSize(i: i32): u32 { return load<u32>(files + <usize>i * FILE_BYTES + 8); }
export function fileNameLen(i: i32): u32 { return load<u32>(files + <usize>i * FILE_BYTES + 12); }
/** Kernel linear address of the file's name (NUL-terminated). */
export function fileName(i: i32): usize { return files + <usize>i * FILE_BYTES + 16; }
