// iospace.ts — IOSpace capabilities: DMA through the DART only to frames one holds (in the spirit
// of seL4's IOSpace / IOPageTable caps for the Arm SMMU and Intel VT-d). An IOSpace cap names one
// DART stream (cap.obj = SID); the kernel hands one per DMA device to init at boot (boot info
// device record of kind BI_DEV_KIND_IOSPACE), and init passes it to that device's driver.
//
// IOSpace.Map(frame = extra cap 0, MR0 = iova, MR1 = rights R|W): maps the frame at iova in the
// stream's IO page tables (kernel-as/dart.ts). The frame cap records (iova, stream) with
// CF_IOMAPPED, so IOSpace.Unmap, Frame.Unmap, deleting or revoking the frame cap removes the
// mapping (with the DART TLB flush). Like a CPU mapping, a frame cap maps one place at a time:
// map a copy to have a page both in a VSpace and for DMA.
// IOSpace.Unmap(frame = extra cap 0): removes that frame cap's IO mapping in this stream.
//
// Errors: TruncatedMessage, FailedLookup (no extra cap), InvalidCapability (not a RAM frame:
// device registers are no DMA target), DeleteFirst (the frame cap is already mapped, or the IO
// page is taken), AlignmentError (iova not 4 KiB aligned), RangeError (iova beyond the stream's
// 1 GiB window), InvalidArgument (no rights), InsufficientRights (rights the frame cap or a
// read-only IOSpace cap lacks), IllegalOperation (no DART, or Unmap of a frame not mapped here),
// NotEnoughMemory (no page for an IO page table).

import {
  Cte, T_FRAME, R_READ, R_WRITE, CF_MAPPED, CF_IOMAPPED,
  E_OK, E_TRUNCATED_MESSAGE, E_FAILED_LOOKUP, E_INVALID_CAPABILITY, E_INSUFFICIENT_RIGHTS, E_DELETE_FIRST,
  E_ILLEGAL_OPERATION, E_INVALID_ARGUMENT, E_ALIGNMENT, E_RANGE, IOSPACE_MAP, IOSPACE_UNMAP, Invocation,
} from "./structures";
import { cte } from "../kernel/cspace";
import { dartMap, dartUnmap, dartPresent, IOVA_LIMIT } from "../dart";

export function decodeIoSpaceInvocation(inv: Invocation): u64 {
  let io = inv.cap;
  let sid = io.obj;
  let len = inv.length, nExtra = inv.extraCaps, mr0 = inv.mr0, mr1 = inv.mr1;
  let x0 = <usize>inv.extra0;
  switch (<u32>inv.label) {
    case <u32>IOSPACE_MAP: {
      if (len < 2 || nExtra < 1) return E_TRUNCATED_MESSAGE;
      if (x0 == 0) return E_FAILED_LOOKUP;
      let f = cte(x0);
      if (f.type != T_FRAME) return E_INVALID_CAPABILITY;
      if ((f.flags & (CF_MAPPED | CF_IOMAPPED)) != 0) return E_DELETE_FIRST;
      if ((mr0 & 0xfff) != 0) return E_ALIGNMENT;
      if (mr0 >= IOVA_LIMIT) return E_RANGE;
      let want = <u32>mr1 & (R_READ | R_WRITE);
      if (want == 0) return E_INVALID_ARGUMENT;
      if ((want & <u32>f.rights) != want || (io.rights & R_WRITE) == 0) return E_INSUFFICIENT_RIGHTS;
      if (!dartPresent()) return E_ILLEGAL_OPERATION;
      let e = dartMap(sid, mr0, <u64>f.obj << 12, want);
      if (e != E_OK) return e;
      f.flags |= CF_IOMAPPED;
      f.data = mr0 | <u64>sid;
      return E_OK;
    }
    case <u32>IOSPACE_UNMAP: {
      if (nExtra < 1) return E_TRUNCATED_MESSAGE;
      if (x0 == 0) return E_FAILED_LOOKUP;
      let f = cte(x0);
      if (f.type != T_FRAME) return E_INVALID_CAPABILITY;
      if ((f.flags & CF_IOMAPPED) == 0 || <u32>(f.data & 0xfff) != sid) return E_ILLEGAL_OPERATION;
      frameCapIoUnmap(f);
      return E_OK;
    }
  }
  return E_ILLEGAL_OPERATION;
}

/** Removes the IO mapping a frame cap recorded (CF_IOMAPPED), and the record. */
export function frameCapIoUnmap(f: Cte): void {
  ioUnmapRecorded(f.obj, f.data);
  f.flags &= ~CF_IOMAPPED;
  f.data = 0;
}

/** Removes the IO mapping recorded as `data` (iova | stream) of frame `pfn` (cap already gone). */
export function ioUnmapRecorded(pfn: u32, data: u64): void {
  dartUnmap(<u32>(data & 0xfff), data & ~(<u64>0xfff), <u64>pfn << 12);
}
