// flaky — a misbehaving program for the supervision tests (docs/SERVICES.md "Supervision"); its
// manifest `args` say how it misbehaves:
//   crash   logs the virtual time it started at, then traps (unreachable): init restarts it with
//           exponential back-off, so the logged start times are 1, 2, 4, 8… ticks apart (its
//           manifest priority, 29, keeps other services from delaying its start);
//   hang    serves an endpoint and answers init's first two heartbeats, then spins forever without
//           a system call: init misses its heartbeat, kills it and restarts it;
//   kill N  asks init to kill pid N through its (unprivileged) proc capability and logs the answer;
//   clock   a client of the timer service: sleeps 240000 ticks, then waits for a deadline 480000
//           ticks later, and logs the counter before and after each.
import { Msg, SLOT_PROC, SLOT_SELF, ipcRecv, answerPing, lookup, lastError } from "../lib";
import * as proc from "../gen/proc";
import * as timer from "../gen/timer";
import { errName } from "../gen/errors";

function say(s: string): void { proc.log(SLOT_PROC, s); } // init prefixes "init: <name>: "

const argsR = new proc.ArgsReply();
const args = proc.args(SLOT_PROC, argsR) == 0 ? argsR.args : "";

if (args == "crash") {
  const up = new proc.UptimeReply();
  proc.uptime(SLOT_PROC, up);
  say("started at " + up.ticks.toString());
  unreachable();
} else if (args == "hang") {
  const m = new Msg();
  let pings = 0;
  while (pings < 2) {
    if (ipcRecv(SLOT_SELF, m) == 0 && m.label == 0 && m.len == 0 && answerPing(m.badge)) pings++;
  }
  say("hanging after " + pings.toString() + " heartbeats");
  let spins: u64 = 0;
  while (true) spins++; // never returns to Recv: the next ping goes unanswered
} else if (args.startsWith("kill ")) {
  const pid = <u32>I32.parseInt(args.substring(5));
  const e = proc.kill(SLOT_PROC, pid);
  say("kill " + pid.toString() + ": " + (e == 0 ? "ok" : errName(e)));
} else if (args == "clock") {
  const ep = lookup("timer");
  const nowR = new timer.NowReply(), sleepR = new timer.SleepReply(), dlR = new timer.DeadlineReply();
  if (ep == 0) say("lookup timer: " + errName(lastError));
  else if (timer.now(ep, nowR) == 0) {
    const t0 = nowR.ticks;
    let e = timer.sleep(ep, 240000, sleepR);
    say("sleep 240000 from " + t0.toString() + ": " + (e == 0 ? "woke at " + sleepR.now.toString() : errName(e)));
    const at = sleepR.now + 480000;
    e = timer.deadline(ep, at, dlR);
    say("deadline " + at.toString() + ": " + (e == 0 ? "woke at " + dlR.now.toString() : errName(e)));
  }
} else {
  say("unknown args '" + args + "'");
}
