// spin — a CPU-bound program to watch the scheduler at work (`spawn spin`): it counts primes
// in rounds, printing one line per round, at a priority below the shell's. While it counts it
// makes no system call (one console write per round), so only the timer FIQ takes the core away
// from it, and every key typed meanwhile still reaches the console and the shell, which preempt it
// because they rank higher.
import { lookup, lastError, print } from "../lib";
import * as con from "../gen/console";
import { errName } from "../gen/errors";

const ROUNDS = 12;
const LIMIT = 20000;

function countPrimes(limit: i32): i32 {
  let n = 0;
  for (let i = 2; i < limit; i++) {
    let prime = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d == 0) { prime = false; break; }
    }
    if (prime) n++;
  }
  return n;
}

const ep = lookup("console");
if (ep == 0) print("spin: lookup console: " + errName(lastError) + "\n");
else {
  const reply = new con.WriteReply();
  for (let round = 1; round <= ROUNDS; round++) {
    const primes = countPrimes(LIMIT);
    const line = String.UTF8.encode("spin: round " + round.toString() + "/" + ROUNDS.toString() + ": " + primes.toString() + " primes below " + LIMIT.toString() + "\n");
    con.write(ep, changetype<usize>(line), line.byteLength, reply);
  }
}
