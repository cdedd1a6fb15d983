// mirror — a test server: replies to every request with its words in reverse order (label 0), so
// a test can send a message of any length through a client and check every word came back.
import { Msg, ipcRecv, ipcReplyRecv, SLOT_SELF } from "../lib";

const m = new Msg();
const words = new StaticArray<u64>(64);
ipcRecv(SLOT_SELF, m);
while (true) {
  for (let i = 0; i < m.len; i++) words[i] = m.word(i);
  for (let i = 0; i < m.len; i++) m.setWord(i, words[m.len - 1 - i]);
  m.label = 0;
  m.ncaps = 0;
  ipcReplyRecv(SLOT_SELF, m);
}
