// CPU time and memory of processes, read from /proc (Linux), for `npm run bench`.
//
// CPU time is utime + stime from /proc/<pid>/stat: what the kernel charged the process, whatever
// else ran on the machine meanwhile. That makes CPU per request the steadiest figure on a shared,
// noisy machine, where throughput and latency move with the neighbours' load.

import { readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) || 100;

/** /proc/<pid>/stat's fields after the command name (which may hold spaces and parentheses); `pid` may be "<pid>/task/<tid>". */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    return { comm, fields: stat.slice(stat.lastIndexOf(")") + 2).split(" ") };
  } catch {
    return undefined; // exited
  }
}

/** Every live process: pid → { ppid, comm }. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statFields(name);
    // fields[0] is the state, fields[1] the parent's pid.
    if (stat) table.set(Number(name), { ppid: Number(stat.fields[1]), comm: stat.comm });
  }
  return table;
}

/** The given processes and all their descendants, optionally only those whose command name is `comm`. */
export function processTree(roots, { comm } = {}) {
  const table = processTable();
  const found = new Set(roots.filter((pid) => table.has(pid)));
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, { ppid }] of table) {
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found].filter((pid) => !comm || table.get(pid)?.comm === comm);
}

/**
 * CPU time (user + system) charged so far to each process, in ms: pid → ms. With `mainThread`, only
 * to each process's main thread (Node's event loop, without libuv's thread pool, V8's helpers).
 */
export function cpuTimes(pids, { mainThread = false } = {}) {
  const times = new Map();
  for (const pid of pids) {
    const stat = statFields(mainThread ? `${pid}/task/${pid}` : pid);
    // utime and stime are fields 14 and 15 of stat(5); fields[] starts at field 3.
    if (stat) times.set(pid, ((Number(stat.fields[11]) + Number(stat.fields[12])) * 1000) / TICKS_PER_SECOND);
  }
  return times;
}

/** CPU ms spent between two cpuTimes() readings; a process that appeared in between counts whole. */
export function cpuSpent(before, after) {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Resident memory of a process in MB: VmRSS now, or VmHWM, its peak so far. */
export function memoryMb(pid, field = "VmRSS") {
  try {
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return NaN;
  }
}
