// frame.ts — Frame / DeviceFrame methods and VSpace methods (seL4 src/arch/arm/64/kernel/vspace.c,
// decodeARMFrameInvocation / decodeARMVSpaceInvocation).
//
// Frame.Map(vspace = extra cap 0, MR0 = va, MR1 = rights R|W|X): maps the page; the cap records
// (va, ASID) so Frame.Unmap, deleting the cap or revoking it removes the mapping (with TLBI).
// A cap maps one place at a time; map a copy to share a page. Requested rights must be held by
// the cap (InsufficientRights otherwise). Device frames map as Device-nGnRnE memory.

import {
  Cte, VSpace, T_VSPACE, T_FRAME, T_DEVICE_FRAME, R_READ, R_WRITE, RG_X, RG_DEMAND, CF_MAPPED, CF_IOMAPPED,
  RG_DATA, RG_STACK, RG_GLOBALS, RG_GUARD, RG_SHARED, RG_DEVICE,
  E_OK, E_TRUNCATED_MESSAGE, E_FAILED_LOOKUP, E_INVALID_CAPABILITY, E_INSUFFICIENT_RIGHTS, E_DELETE_FIRST,
  E_ILLEGAL_OPERATION, E_INVALID_ARGUMENT, E_ALIGNMENT, E_RANGE,
  FRAME_MAP, FRAME_UNMAP, FRAME_GET_ADDRESS, VSPACE_ADD_REGION, VSPACE_UNMAP, VSPACE_SET_QUOTA, R_GRANT,
} from "./structures";
import { cte } from "../kernel/cspace";
import { mapPage, addRegion, pteOf, pteKind, unmapPage, ATTR_NORMAL, ATTR_DEVICE, USER_VA_LIMIT } from "./vspace";
import { frameCapUnmap } from "./objecttype";
import { frameCapIoUnmap } from "./iospace";
import { icIallu } from "../arch";
import { kmemTotal } from "../kernel/kmem";

export function decodeFrameInvocation(label: u64, fc: usize, len: u32, mr0: u64, mr1: u64, x0: usize, nExtra: u32, out: usize): u64 {
  let f = cte(fc);
  switch (<u32>label) {
    case <u32>FRAME_MAP: {
      if (len < 2 || nExtra < 1) return E_TRUNCATED_MESSAGE;
      if (x0 == 0) return E_FAILED_LOOKUP;
      if (cte(x0).type != T_VSPACE) return E_INVALID_CAPABILITY;
      if ((f.flags & (CF_MAPPED | CF_IOMAPPED)) != 0) return E_DELETE_FIRST;
      if ((mr0 & 0xfff) != 0) return E_ALIGNMENT;
      if (mr0 >= USER_VA_LIMIT) return E_RANGE;
      let want = <u32>mr1 & (R_READ | R_WRITE | RG_X);
      if (want == 0) return E_INVALID_ARGUMENT;
      if ((want & R_WRITE) != 0 && (f.rights & R_WRITE) == 0) return E_INSUFFICIENT_RIGHTS;
      if ((want & (R_READ | RG_X)) != 0 && (f.rights & R_READ) == 0) return E_INSUFFICIENT_RIGHTS;
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
      store<u64>(out, <u64>f.obj << 12);
      return E_OK;
    }
  }
  return E_ILLEGAL_OPERATION;
}

/**
 * VSpace.AddRegion(MR0 start, MR1 end, MR2 kind, MR3 rights): a demand-zero data/stack/globals
 * region, a guard region, or a described shared/device window. VSpace.Unmap(MR0 va) drops a
 * kernel-owned (demand-zero / image data) page. VSpace.SetQuota(MR0 pages) sets how many kernel-pool
 * pages the address space may use (cap with Grant only); MR0 of the reply = pages charged now.
 */
export function decodeVSpaceInvocation(label: u64, vc: usize, len: u32, mr0: u64, mr1: u64, mr2: u64, mr3: u64, out: usize): u64 {
  let vs = <usize>cte(vc).obj;
  switch (<u32>label) {
    case <u32>VSPACE_ADD_REGION: {
      if (len < 4) return E_TRUNCATED_MESSAGE;
      if (mr2 > 0xffff_ffff) return E_INVALID_ARGUMENT; // never cut a kind to 32 bits
      let kind = <u32>mr2;
      let rights = <u32>mr3 & (R_READ | R_WRITE | RG_X);
      if (kind == RG_DATA || kind == RG_STACK || kind == RG_GLOBALS) rights |= RG_DEMAND;
      else if (kind == RG_GUARD) rights = 0;
      else if (kind != RG_SHARED && kind != RG_DEVICE) return E_INVALID_ARGUMENT;
      return addRegion(vs, mr0, mr1, kind, rights);
    }
    case <u32>VSPACE_UNMAP: {
      if (len < 1) return E_TRUNCATED_MESSAGE;
      if ((mr0 & 0xfff) != 0) return E_ALIGNMENT;
      if (mr0 >= USER_VA_LIMIT) return E_RANGE; // the table walk would alias it to a lower VA
      let pte = pteOf(vs, mr0);
      if (pte == 0) return E_FAILED_LOOKUP;
      if (pteKind(pte) == 0) return E_ILLEGAL_OPERATION; // a frame cap's page: use Frame.Unmap
      unmapPage(vs, mr0);
      icIallu();
      return E_OK;
    }
    case <u32>VSPACE_SET_QUOTA: {
      // MR0 = pages of kernel memory the address space may use; needs Grant (the creator's cap)
      if (len < 1) return E_TRUNCATED_MESSAGE;
      if ((cte(vc).rights & R_GRANT) == 0) return E_INSUFFICIENT_RIGHTS;
      if (mr0 > <u64>kmemTotal()) return E_RANGE;
      let v = changetype<VSpace>(vs);
      v.quota = <u32>mr0;
      store<u64>(out, <u64>v.charged);
      return E_OK;
    }
  }
  return E_ILLEGAL_OPERATION;
}
