/**
 * A worker thread that lowers its own priority, shortens its own slice (thread-priority.ts) and
 * reports what the kernel then shows for it (/proc/thread-self): the test runner's thread keeps
 * its settings.
 */
import { readFileSync } from "node:fs";
import { HTTP_THREAD_SLICE_NS, lowerThreadPriority, shortenThreadSlice } from "../../src/pdf-worker/thread-priority";

declare const self: Worker;

/** A field of /proc/thread-self/sched, or null where the kernel does not show it. */
const sched = (name: string) => {
  const line = readFileSync("/proc/thread-self/sched", "utf8").split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(":")[1]) : null;
};
const nice = () => {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[16]);
};

lowerThreadPriority(3);
const niceBefore = nice();
const ok = shortenThreadSlice(HTTP_THREAD_SLICE_NS);
self.postMessage({ ok, slice: sched("se.slice"), policy: sched("policy"), niceBefore, niceAfter: nice() });
