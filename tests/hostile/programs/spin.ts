// A busy loop that never makes a syscall: counts in slot X0 of the page init shares at 0x4000.
import { reg } from "../../../services/lib";
const p = 0x4000 + (<usize>reg(0) << 3);
while (true) { reg(15); store<u64>(p, load<u64>(p) + 1); } // reg(): an import call, not a syscall
