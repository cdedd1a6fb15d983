// Lists the files of a cpio "newc" archive (the boot image, scripts/cpio.mjs writes it): 110-byte
// ASCII headers ("070701", then 13 eight-digit hex fields), the name, the data, each padded to 4.

export interface CpioFile {
  name: string;
  data: Uint8Array;
}

export function listCpio(bytes: Uint8Array): CpioFile[] {
  const text = new TextDecoder();
  const files: CpioFile[] = [];
  const pad4 = (n: number) => (n + 3) & ~3;
  let at = 0;
  while (at + 110 <= bytes.length) {
    const header = text.decode(bytes.subarray(at, at + 110));
    if (!header.startsWith('070701') && !header.startsWith('070702')) break;
    const field = (i: number) => parseInt(header.slice(6 + 8 * i, 14 + 8 * i), 16);
    const size = field(6);
    const nameSize = field(11);
    const name = text.decode(bytes.subarray(at + 110, at + 110 + nameSize - 1));
    const dataAt = pad4(at + 110 + nameSize);
    if (name === 'TRAILER!!!') break;
    files.push({ name, data: bytes.subarray(dataAt, dataAt + size) });
    at = pad4(dataAt + size);
  }
  return files;
}
