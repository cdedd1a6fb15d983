// The boot image is a cpio archive in the "newc" format (the one Linux's initramfs uses, see the
// kernel's Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte ASCII header
// (magic 070701, 13 eight-digit hex fields), the name and its NUL, padding to 4 bytes, the data
// padded to 4 bytes; the archive ends with an entry named TRAILER!!!. Plain JavaScript so that
// scripts/build.mjs (Node without TypeScript) packs the image with the same code the page and the
// tests read it with; types in cpio.d.mts.

const HEADER_BYTES = 110;
const TRAILER = 'TRAILER!!!';
const FIELD_FILESIZE = 6;
const FIELD_NAMESIZE = 11;
const hex8 = (n) => n.toString(16).padStart(8, '0');
const pad4 = (n) => (n + 3) & ~3;

/** Packs files ({ name, data }) into a newc archive, in the given order. */
export function writeCpio(files) {
  const chunks = [];
  let length = 0;
  let ino = 1;
  const push = (bytes) => { chunks.push(bytes); length += bytes.length; };
  const pad = () => { if (length % 4) push(new Uint8Array(4 - (length % 4))); };
  const entry = (name, data, mode) => {
    // ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    push(new TextEncoder().encode('070701' + fields.map(hex8).join('') + name + '\0'));
    pad();
    push(data);
    pad();
  };
  for (const f of files) entry(f.name, new Uint8Array(f.data), 0o100644);
  entry(TRAILER, new Uint8Array(0), 0);
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** The files of a newc archive (views into `bytes`); stops at the trailer, a bad magic or the end. */
export function readCpio(bytes) {
  const text = new TextDecoder();
  const files = [];
  let at = 0;
  while (at + HEADER_BYTES <= bytes.length) {
    const header = text.decode(bytes.subarray(at, at + HEADER_BYTES));
    if (!header.startsWith('070701') && !header.startsWith('070702')) break;
    const field = (i) => parseInt(header.slice(6 + 8 * i, 14 + 8 * i), 16);
    const size = field(FIELD_FILESIZE);
    const nameSize = field(FIELD_NAMESIZE);
    const name = text.decode(bytes.subarray(at + HEADER_BYTES, at + HEADER_BYTES + nameSize - 1));
    if (name === TRAILER) break;
    const dataAt = pad4(at + HEADER_BYTES + nameSize);
    files.push({ name, data: bytes.subarray(dataAt, dataAt + size) });
    at = pad4(dataAt + size);
  }
  return files;
}
