// agent — the playground agent (DESIGN D9): the user-space end of the host-mailbox device.
//
// What a person sends from the playground's composer arrives here as a mailbox message; the agent
// performs the IPC with its own capabilities and sends the result back through the mailbox. It can
// only reach what its manifest entry lets it look up, so a send to anything else is refused by the
// kernel, and that error is what the page shows. The page itself never writes RAM or kernel state.
//
// Capabilities (services/manifest.json): the mailbox's device page mapped at MBOX, its IRQ handler
// in SLOT_IRQ with a notification bound to this thread (the interrupt arrives as a label-0 message
// on SLOT_SELF), SLOT_PROC (init), and the endpoints of the services named in `uses`, looked up at
// start. Registers: hw/mailbox.ts ("mlk,host-mailbox").
//
// Mailbox frame (abi/mailbox.json, AGENT_*; web/src/agent.ts is the host's end; 32-bit mailbox
// words, 64-bit message words as lo, hi; a whole IPC message fits both ways):
//   host → agent  [tag, slot, label_lo, label_hi, n, w0_lo, w0_hi, …]     tag ≠ 0, n ≤ 64
//   agent → host  [tag, err, label_lo, label_hi, n, w0_lo, w0_hi, …]     err = the kernel's error
//                 of the Call (0: label/words are the server's reply); AGENT_REFUSED for the
//                 agent's own kernel objects (its TCB, CNode, VSpace, endpoint, IRQ, frame)
//   agent → host  [0, VERSION, k, slot1 … slotk]   hello: the endpoint slots it holds (also the
//                 answer to a host message with tag 0)
//
// Programs of the Code panel (docs/EXERCISES.md): a host message to slot CODE_SLOT is the agent's
// own operation, not a Call. Label CODE_WRITE (MR0 byte offset, MR1 count ≤ 496, MR2.. the bytes,
// 8 per word, little-endian) copies a piece of a compiled program into the shared frame "codebuf"
// (mapped at CODEBUF); label CODE_RUN (MR0 length, MR1 grant bits, MR2..MR3 the name, 16 bytes)
// asks init to start it (proc.run) and, when it serves an endpoint, looks that endpoint up so the
// page can send to it. Reply words: CODE_WRITE none; CODE_RUN [tid, endpoint slot or 0]. The
// program's bytes thus reach init through a frame both share, never around the kernel.
//
// Capability operations: a message to SLOT_CNODE (the agent's own CNode) is forwarded only as
// CNode Mint (MR0 dest, MR1 src, MR2 rights, MR3 badge), Delete or Revoke (MR0 slot) whose slot
// MR0 is a scratch slot (SCRATCH_FIRST..SCRATCH_END−1) and, for Mint, whose source is an endpoint
// slot the agent holds or a scratch slot: the page can show a cap minted with fewer rights or a
// badge, and revoke it, but never delete the caps the agent runs on.

import {
  Msg, Service, SLOT_TCB, SLOT_CNODE, SLOT_IRQ, SLOT_PROC, SLOT_SELF, SLOT_FRAME, ipcCall, irqAck, lookup, serve, freeSlot,
} from "../lib";
import * as proc from "../gen/proc";
import { INVALID_ARGUMENT } from "../gen/errors";

import {
  AGENT_ERR, AGENT_HELLO_COUNT, AGENT_HELLO_SLOTS, AGENT_HELLO_VERSION, AGENT_LABEL_HI, AGENT_LABEL_LO, AGENT_LEN,
  AGENT_MAX_MSG_WORDS, AGENT_REFUSED, AGENT_SLOT, AGENT_TAG, AGENT_VERSION, AGENT_WORDS, CNODE_DELETE, CNODE_MINT,
  CNODE_REVOKE, MBOX_IN_DATA, MBOX_IN_LEN, MBOX_IN_POP, MBOX_IRQ_ENABLE, MBOX_MAGIC, MBOX_MAGIC_VALUE, MBOX_OUT_DATA,
  MBOX_OUT_LEN, MBOX_OUT_SEND, MBOX_STATUS, MBOX_STATUS_IN_READY, CODE_SLOT, CODE_WRITE, CODE_RUN,
} from "../lib/abi";

/** Where the manifest maps the mailbox's registers. */
const MBOX: usize = 0x4000;
/** Slots of the agent's CNode the page may mint into, delete and revoke. */
const SCRATCH_FIRST: u64 = 48;
const SCRATCH_END: u64 = 56;
/** The pseudo-slot of the agent's own code operations, and their labels. */
const CODEBUF: usize = 0x8000;
const CODEBUF_BYTES: u64 = 8 * 4096;
/** Programs the agent ran and the slot of the endpoint it looked up for each (0: none). */
const runNames = new Array<string>();
const runSlots = new Array<u64>();

/** Services whose endpoints the agent asks init for (init grants those in its `uses`). */
const NAMES: string[] = ["console", "vfs", "fs", "tmpfs", "blockdev", "ramdisk"];

// @ts-ignore: decorator
@inline function rd(off: usize): u32 { return load<u32>(MBOX + off); }
// @ts-ignore: decorator
@inline function wr(off: usize, v: u32): void { store<u32>(MBOX + off, v); }
/** Word i of the inbound frame. */
// @ts-ignore: decorator
@inline function inWord(i: u32): u32 { return rd(MBOX_IN_DATA + (<usize>i << 2)); }
/** Sets word i of the outbound frame. */
// @ts-ignore: decorator
@inline function outWord(i: u32, v: u32): void { wr(MBOX_OUT_DATA + (<usize>i << 2), v); }
/** Message word i of the inbound frame (lo, hi at AGENT_WORDS + 2i). */
function inMsgWord(i: i32): u64 { return <u64>inWord(AGENT_WORDS + 2 * <u32>i) | (<u64>inWord(AGENT_WORDS + 2 * <u32>i + 1) << 32); }

/** Endpoint slots held: init's proc endpoint and every service the lookup granted. */
const held: u64[] = [SLOT_PROC];

function sendHello(): void {
  outWord(AGENT_TAG, 0);
  outWord(AGENT_HELLO_VERSION, AGENT_VERSION);
  outWord(AGENT_HELLO_COUNT, <u32>held.length);
  for (let i = 0; i < held.length; i++) outWord(AGENT_HELLO_SLOTS + <u32>i, <u32>held[i]);
  wr(MBOX_OUT_LEN, AGENT_HELLO_SLOTS + <u32>held.length);
  wr(MBOX_OUT_SEND, 1);
}

/** The agent's own kernel objects: forwarding a call to them would let the page stop the agent. */
function isOwnObject(slot: u64): bool {
  return slot >= SLOT_TCB && slot <= SLOT_FRAME && slot != SLOT_PROC;
}

const isScratch = (slot: u64): bool => slot >= SCRATCH_FIRST && slot < SCRATCH_END;

/** Whether a message to the agent's CNode is one of the capability operations the page may ask for. */
function allowedCNodeOp(label: u64, n: i32, w0: u64, w1: u64): bool {
  if (!isScratch(w0)) return false;
  if (label == CNODE_DELETE || label == CNODE_REVOKE) return n >= 1;
  if (label != CNODE_MINT || n < 4) return false;
  if (isScratch(w1)) return true;
  for (let i = 0; i < held.length; i++) if (held[i] == w1) return true;
  return false;
}

const m = new Msg();
const runOut = new proc.RunReply();

/** CODE_WRITE / CODE_RUN (see the header); the result goes back in m. */
function codeOp(label: u64, n: i32, word: (i: i32) => u64): u32 {
  m.reset(0);
  if (label == CODE_WRITE) {
    if (n < 2) return INVALID_ARGUMENT;
    const off = word(0), count = word(1);
    if (count > <u64>(n - 2) * 8 || off > CODEBUF_BYTES || count > CODEBUF_BYTES - off) return INVALID_ARGUMENT;
    for (let i: u64 = 0; i < count; i++) store<u8>(CODEBUF + <usize>(off + i), <u8>(word(2 + <i32>(i >> 3)) >> ((i & 7) << 3)));
    return 0;
  }
  if (label != CODE_RUN || n < 4) return INVALID_ARGUMENT;
  const raw = new Uint8Array(16);
  store<u64>(raw.dataStart, word(2));
  store<u64>(raw.dataStart + 8, word(3));
  let len = 0;
  while (len < 16 && raw[len] != 0) len++;
  const name = String.UTF8.decodeUnsafe(raw.dataStart, len);
  // the endpoint of an earlier version goes: init may have made a new one
  for (let i = 0; i < runNames.length; i++) {
    if (runNames[i] != name) continue;
    const old = runSlots[i];
    if (old != 0) {
      freeSlot(old);
      for (let j = 0; j < held.length; j++) if (held[j] == old) { held.splice(j, 1); break; }
    }
    runNames.splice(i, 1);
    runSlots.splice(i, 1);
    break;
  }
  const e = proc.run(SLOT_PROC, name, <u32>word(0), <u32>word(1), runOut);
  if (e != 0) return e;
  let slot: u64 = 0;
  if ((word(1) & <u64>proc.GRANTS_ENDPOINT) != 0) {
    slot = lookup(name);
    if (slot != 0) held.push(slot);
  }
  runNames.push(name);
  runSlots.push(slot);
  m.setWord(0, <u64>runOut.tid);
  m.setWord(1, slot);
  m.len = 2;
  return 0;
}

/** Performs the host message in IN_DATA and sends the result. */
function perform(): void {
  const len = rd(MBOX_IN_LEN);
  const tag = inWord(AGENT_TAG);
  if (tag == 0 || len < AGENT_WORDS) { sendHello(); return; }
  const slot = <u64>inWord(AGENT_SLOT);
  const label = <u64>inWord(AGENT_LABEL_LO) | (<u64>inWord(AGENT_LABEL_HI) << 32);
  let n = <i32>min(inWord(AGENT_LEN), AGENT_MAX_MSG_WORDS);
  if (<u32>(AGENT_WORDS + 2 * n) > len) n = <i32>((len - AGENT_WORDS) >> 1); // a short frame: only the words it has
  let err: u32;
  if (slot == CODE_SLOT) {
    err = codeOp(label, n, inMsgWord);
  } else if (isOwnObject(slot) && !(slot == SLOT_CNODE && allowedCNodeOp(label, n, n > 0 ? inMsgWord(0) : 0, n > 1 ? inMsgWord(1) : 0))) {
    err = AGENT_REFUSED;
    m.reset(0);
  } else {
    m.reset(label);
    for (let i = 0; i < n; i++) m.setWord(i, inMsgWord(i));
    m.len = n;
    m.recvSlot = 0;
    err = ipcCall(slot, m);
    if (err != 0) m.reset(0);
  }
  // the whole reply: a message has at most AGENT_MAX_MSG_WORDS words, and they all fit the frame
  outWord(AGENT_TAG, tag);
  outWord(AGENT_ERR, err);
  outWord(AGENT_LABEL_LO, <u32>m.label);
  outWord(AGENT_LABEL_HI, <u32>(m.label >> 32));
  outWord(AGENT_LEN, <u32>m.len);
  for (let i = 0; i < m.len; i++) {
    const w = m.word(i);
    outWord(AGENT_WORDS + 2 * <u32>i, <u32>w);
    outWord(AGENT_WORDS + 2 * <u32>i + 1, <u32>(w >> 32));
  }
  wr(MBOX_OUT_LEN, AGENT_WORDS + 2 * <u32>m.len);
  wr(MBOX_OUT_SEND, 1);
}

/** The agent serves no protocol: only the bound notification (the mailbox interrupt) is expected. */
class Agent extends Service {
  handle(m: Msg): bool { return this.other(m); }
  /** The mailbox interrupt: every queued host message, in order. */
  notified(bits: u64): void {
    while ((rd(MBOX_STATUS) & MBOX_STATUS_IN_READY) != 0) {
      perform();
      wr(MBOX_IN_POP, 1);
    }
    irqAck(SLOT_IRQ);
  }
}

// ---- start ---------------------------------------------------------------------------------------
if (rd(MBOX_MAGIC) == MBOX_MAGIC_VALUE) {
  for (let i = 0; i < NAMES.length; i++) {
    const s = lookup(NAMES[i]);
    if (s != 0) held.push(s);
  }
  wr(MBOX_IRQ_ENABLE, 1);
  irqAck(SLOT_IRQ); // a line left masked by a previous instance is opened again
  sendHello();
  serve(SLOT_SELF, new Agent());
}
