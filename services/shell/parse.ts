// parse.ts — the shell's command-line parsing and path handling. Pure AssemblyScript (no
// syscalls), tested natively by tests/services/shell-parse.test.ts.
//
// A command line is words separated by blanks; "double" and 'single' quotes group blanks into a
// word; `> path` (truncate) and `>> path` (append) redirect output, attached or not (`>path`).

export class Command {
  argv: Array<string> = new Array<string>();
  /** Redirect target ("" = none) and whether it appends. */
  redirect: string = "";
  append: bool = false;
  /** Parse error ("" = none). */
  error: string = "";
}

function isBlank(c: i32): bool { return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d; }

export function parseLine(line: string): Command {
  const cmd = new Command();
  let i = 0;
  const n = line.length;
  let wantRedirect = false;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (isBlank(c)) { i++; continue; }
    if (c == 0x3e) { // '>'
      if (wantRedirect || cmd.redirect.length > 0) { cmd.error = "only one output redirection"; return cmd; }
      if (i + 1 < n && line.charCodeAt(i + 1) == 0x3e) { cmd.append = true; i += 2; } else { cmd.append = false; i++; }
      wantRedirect = true;
      continue;
    }
    // a word, possibly with quoted parts; plain runs are copied whole (a character at a time
    // would make a 4 KiB word cost megabytes of garbage strings)
    let word = "";
    let any = false;
    let run = i; // start of the plain run not yet in word
    while (i < n) {
      c = line.charCodeAt(i);
      if (isBlank(c) || c == 0x3e) break;
      if (c == 0x22 || c == 0x27) {
        word += line.substring(run, i);
        const q = c;
        const start = ++i;
        while (i < n && line.charCodeAt(i) != q) i++;
        if (i >= n) { cmd.error = "unterminated quote"; return cmd; }
        word += line.substring(start, i);
        i++;
        run = i;
        any = true;
        continue;
      }
      if (c == 0x5c && i + 1 < n) { word += line.substring(run, i) + line.charAt(i + 1); i += 2; run = i; any = true; continue; } // backslash
      any = true;
      i++;
    }
    word += line.substring(run, i);
    if (!any) continue;
    if (wantRedirect) { cmd.redirect = word; wantRedirect = false; }
    else cmd.argv.push(word);
  }
  if (wantRedirect) cmd.error = "missing file name after >";
  return cmd;
}

/** Joins p to cwd (when relative) and removes ".", ".." and repeated slashes; always absolute. */
export function resolvePath(cwd: string, p: string): string {
  const full = p.startsWith("/") ? p : cwd + "/" + p;
  const parts = full.split("/");
  const out = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const s = parts[i];
    if (s.length == 0 || s == ".") continue;
    if (s == "..") { if (out.length > 0) out.pop(); continue; }
    out.push(s);
  }
  return "/" + out.join("/");
}

/** Right-aligns s in a field of width w. */
export function padLeft(s: string, w: i32): string {
  return s.length >= w ? s : " ".repeat(w - s.length) + s;
}

/** Left-aligns s in a field of width w. */
export function padRight(s: string, w: i32): string {
  return s.length >= w ? s : s + " ".repeat(w - s.length);
}

/** Parses a decimal number; -1 when s is not one. */
export function parseNum(s: string): i64 {
  if (s.length == 0 || s.length > 15) return -1;
  let v: i64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}
