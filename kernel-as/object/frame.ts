// frame.ts — Frame / DeviceFrame methods (seL4 src/arch/arm/64/kernel/vspace.c,
// decodeARMFrameInvocation); the VSpace methods are in vspace.ts.
//
// Frame.Map(vspace = extra cap 0, MR0 = va, MR1 = rights R|W|X): maps the page; the cap records
// (va, ASID) so Frame.Unmap, deleting the cap or revoking it removes the mapping (with TLBI).
// A cap maps one place at a time; map a copy to share a page. Requested rights must be held by
// the cap (InsufficientRights otherwise). Device frames map as Device-nGnRnE memory.

import {
  VSpace, T_VSPACE, T_DEVICE_FRAME, R_READ, R_WRITE, MAP_EXEC, CF_MAPPED, CF_IOMAPPED, E_OK, E_TRUNCATED_MESSAGE,
  E_FAILED_LOOKUP, E_INVALID_CAPABILITY, E_INSUFFICIENT_RIGHTS, E_DELETE_FIRST, E_ILLEGAL_OPERATION,
  E_INVALID_ARGUMENT, E_ALIGNMENT, E_RANGE, FRAME_MAP, FRAME_UNMAP, FRAME_GET_ADDRESS, Invocation,
} from "./structures";
import { cte } from "../kernel/cspace";
import { mapPage, ATTR_NORMAL, ATTR_DEVICE, USER_VA_LIMIT } from "./vspace";
import { frameCapUnmap } from "./objecttype";
import { frameCapIoUnmap } from "./iospace";

export function decodeFrameInvocation(inv: Invocation): u64 {
  let f = inv.cap;
  let len = inv.length, mr0 = inv.mr0, mr1 = inv.mr1;
  let x0 = <usize>inv.extra0;
  switch (<u32>inv.label) {
    case <u32>FRAME_MAP: {
      if (len < 2 || inv.extraCaps < 1) return E_TRUNCATED_MESSAGE;
      if (x0 == 0) return E_FAILED_LOOKUP;
      if (cte(x0).type != T_VSPACE) return E_INVALID_CAPABILITY;
      if ((f.flags & (CF_MAPPED | CF_IOMAPPED)) != 0) return E_DELETE_FIRST;
      if ((mr0 & 0xfff) != 0) return E_ALIGNMENT;
      if (mr0 >= USER_VA_LIMIT) return E_RANGE;
      let want = <u32>mr1 & (R_READ | R_WRITE | MAP_EXEC);
      if (want == 0) return E_INVALID_ARGUMENT;
      if ((want & R_WRITE) != 0 && (f.rights & R_WRITE) == 0) return E_INSUFFICIENT_RIGHTS;
      if ((want & (R_READ | MAP_EXEC)) != 0 && (f.rights & R_READ) == 0) return E_INSUFFICIENT_RIGHTS;
      let vs = <usize>cte(x0).obj;
      let pa = <u64>f.obj << 12;
      let e = mapPage(vs, mr0, pa, want | R_READ, f.type == T_DEVICE_FRAME ? ATTR_DEVICE : ATTR_NORMAL, 0);
      if (e != E_OK) return e;
      let v = changetype<VSpace>(vs);
      v.mappedPages++;
      f.flags |= CF_MAPPED;
      f.data = mr0 | <u64>v.asid;
      return E_OK;
    }
    case <u32>FRAME_UNMAP: {
      if ((f.flags & CF_IOMAPPED) != 0) frameCapIoUnmap(f); // the DMA mapping (object/iospace.ts)
      if ((f.flags & CF_MAPPED) != 0) {
        frameCapUnmap(f.obj, f.data);
        f.flags &= ~CF_MAPPED;
        f.data = 0;
      }
      return E_OK;
    }
    case <u32>FRAME_GET_ADDRESS: {
      inv.out0 = <u64>f.obj << 12;
      return E_OK;
    }
  }
  return E_ILLEGAL_OPERATION;
}
