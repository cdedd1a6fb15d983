// inet.ts — IPv4 addresses as text, for clients of the socket protocol (services/gen/socket.ts,
// served by services/net; docs/USERLIB.md "Sockets"). An address is a u32, most significant
// byte first: 10.0.0.2 = 0x0a000002.

/** "10.0.0.2" → 0x0a000002; -1 when the text is not four decimal numbers 0..255 joined by dots. */
export function parseIpv4(s: string): i64 {
  let a: u32 = 0, part: u32 = 0, digits = 0, dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x2e) {
      if (digits == 0 || dots == 3) return -1;
      a = (a << 8) | part; part = 0; digits = 0; dots++;
    } else if (c >= 0x30 && c <= 0x39 && digits < 3) {
      part = part * 10 + <u32>(c - 0x30); digits++;
      if (part > 255) return -1;
    } else return -1;
  }
  if (dots != 3 || digits == 0) return -1;
  return <i64>((a << 8) | part);
}

/** 0x0a000002 → "10.0.0.2" */
export function ipv4Text(a: u32): string {
  return (a >> 24).toString() + "." + ((a >> 16) & 0xff).toString() + "." + ((a >> 8) & 0xff).toString() + "." + (a & 0xff).toString();
}
