// The boot image is a cpio archive in the "newc" format (the one Linux's initramfs uses):
// 110-byte ASCII header (magic 070701, 13 eight-digit hex fields), name, NUL, padding to 4 bytes,
// data padded to 4 bytes; the archive ends with an entry named TRAILER!!!.

const hex8 = (n) => n.toString(16).padStart(8, '0');

export function writeCpio(files) {
  const chunks = [];
  let ino = 1;
  const pad = () => {
    const len = chunks.reduce((a, c) => a + c.length, 0);
    if (len % 4) chunks.push(new Uint8Array(4 - (len % 4)));
  };
  const entry = (name, data, mode) => {
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    chunks.push(new TextEncoder().encode('070701' + fields.map(hex8).join('') + name + '\0'));
    pad();
    chunks.push(data);
    pad();
  };
  for (const f of files) entry(f.name, new Uint8Array(f.data), 0o100644);
  entry('TRAILER!!!', new Uint8Array(0), 0);
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}
