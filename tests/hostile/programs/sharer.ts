// Two threads of one address space (init builds the second by hand with TCB.Configure).
// Role 1, the user: counts in the frame page at 0x4000 and in a demand-zero page of its linear
// memory, without end. Role 2, the unmapper: maps the frame (a cap in its slot 10), lets the user
// run, Frame.Unmaps the page under it and takes the user's VM fault on the endpoint in slot 11
// (label 1, FAR 0x4000), maps the page again and restarts the user, then VSpace.Unmaps the
// demand-zero page under it: the user finds it refilled with zeros and goes on.
import { reg, recv, svc, SYS_REPLY, frameUnmap, invoke, tcbSuspend, R_READ, R_WRITE, SLOT_VSPACE, SLOT_TCB,
  print, println, printNum, setName } from "../../../services/lib";
import { expectErr, done } from "./expect";

const FRAME: usize = 0x4000;      // the frame page being unmapped
const FLAGS: usize = 0x5000;      // a page init maps for both: +0 mapped, +8 refilled
const FRAME_CAP: u64 = 10, FAULT_EP: u64 = 11;

const MY_IPC: usize = 0x6000;     // the unmapper's IPC buffer (the library's is the user's, at 0x1000)

/** Frame.Map through our own IPC buffer (extra cap 0 = the VSpace). */
function mapFrame(): i64 {
  store<u64>(MY_IPC + 0x208, SLOT_VSPACE);
  return invoke(FRAME_CAP, 56, 2, <i64>FRAME, R_READ | R_WRITE, 0, 0, 1);
}

/** A load the optimiser cannot hoist out of a wait loop (the import call may have side effects). */
function peek(p: usize): u64 { reg(15); return load<u64>(p); }

function heapPage(): usize { return (<usize>memory.size() << 16) - 4096; } // last page of linear memory

function user(): void {
  setName("sharer");
  while (peek(FLAGS) == 0) {} // until the unmapper mapped the frame
  let h = heapPage();
  let mine: u64 = 0;
  while (true) {
    store<u64>(FRAME, load<u64>(FRAME) + 1);
    let v = load<u64>(h);
    if (v != mine) {
      print("sharer: heap page came back as "); printNum(<i64>v); print(" after "); printNum(<i64>mine); println("");
      store<u64>(FLAGS + 8, 1);
      mine = v;
    }
    mine++;
    store<u64>(h, mine);
  }
}

function unmapper(): void {
  setName("unmapper");
  expectErr(mapFrame(), 0, "map the shared frame at 0x4000");
  store<u64>(FLAGS, 1);
  while (peek(FRAME) < 1000) {} // the timer hands the CPU to the user (same priority)
  expectErr(frameUnmap(FRAME_CAP), 0, "Frame.Unmap while the other thread uses the page");
  let e = recv(FAULT_EP);
  let label = reg(1) >> 12, far = reg(2); // before the next syscall overwrites them
  expectErr(e, 0, "receive the user's fault");
  expectErr(label, 1, "fault label: VM fault");
  expectErr(far & ~7, FRAME, "fault address: the unmapped page");
  expectErr(mapFrame(), 0, "map the frame again");
  let count = load<u64>(FRAME);
  expectErr(count >= 1000 ? 1 : 0, 1, "the frame kept its contents");
  svc(SYS_REPLY, 0, 0, 0, 0, 0, 0); // label 0: restart the faulting instruction
  while (peek(FRAME) < count + 1000) {} // the user counts on
  println("unmapper: the user runs again after the fault");
  expectErr(invoke(SLOT_VSPACE, 49, 1, <i64>heapPage()), 0, "VSpace.Unmap of the user's demand-zero page");
  while (peek(FLAGS + 8) == 0) {} // the user saw the fresh page
  expectErr(tcbSuspend(SLOT_TCB), 0, "suspend the user");
  done("unmapper");
}

if (reg(0) == 1) user(); else unmapper();
