import { hostname } from "node:os";

/** Whether a process with this id runs on this machine (EPERM: it runs, as another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

const INCARNATION = crypto.randomUUID().slice(0, 8);

/** Who holds a lease: "{host}:{pid}:{random per process}" (a container's server is pid 1 at every start). */
export const THIS_PROCESS = `${hostname()}:${process.pid}:${INCARNATION}`;

/**
 * Whether the process that wrote `owner` has ended: same host, and its pid no longer runs or
 * is now this process under another incarnation. A lease from another host is never judged.
 */
export function ownerGone(owner: string): boolean {
  const [host, pid, incarnation] = owner.split(":");
  if (host !== hostname() || !pid) return false;
  if (Number(pid) === process.pid) return incarnation !== INCARNATION;
  return !pidAlive(Number(pid));
}
