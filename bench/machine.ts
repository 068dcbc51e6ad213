import { cpus, loadavg, totalmem } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../test/helpers/spawn";

/**
 * The processor's clock and cache as Linux reports them: machines that all call themselves
 * "AMD EPYC, 2 cores" ran the same code's creations at 130 and 310 µs of CPU.
 */
function cpuDetails(): string {
  const info = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const mhz = info.match(/^cpu MHz\s*:\s*([\d.]+)/m)?.[1];
  const cache = info.match(/^cache size\s*:\s*(.+)$/m)?.[1]?.trim();
  const parts = [mhz && `${Math.round(Number(mhz))} MHz`, cache && `${cache} cache`].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** One line saying where numbers came from: they mean nothing without it. */
export function machine(): string {
  const cpu = cpus()[0]?.model?.trim() ?? "unknown CPU";
  return `${cpu}${cpuDetails()}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, bun ${Bun.version}, ${process.platform}/${process.arch}, ${new Date().toISOString().slice(0, 10)}`;
}

const loadAverages = () => loadavg().map((l) => l.toFixed(1)).join(" / ");

/** All CPU ticks since boot and those the hypervisor gave to other guests ("steal"), from /proc/stat. */
function cpuTicks(): { total: number; steal: number } {
  if (!existsSync("/proc/stat")) return { total: 0, steal: 0 };
  const ticks = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 };
}

/**
 * What else the machine did from now until `report()`: the load averages before and after, and
 * the share of CPU time the hypervisor gave to other guests (steal), which slows every thread of
 * a run on a shared VM without showing in the load: one run measured half an hour after another
 * paid ~50 % more CPU per envelope with 7 % of the time stolen.
 */
export function loadMeter(): { report(): string } {
  const before = loadAverages();
  const start = cpuTicks();
  return {
    report() {
      const end = cpuTicks();
      const total = end.total - start.total;
      const stolen = total > 0 ? `; ${((100 * (end.steal - start.steal)) / total).toFixed(1)} % of the CPU time stolen by the hypervisor meanwhile` : "";
      return `load average ${before} before, ${loadAverages()} after${stolen}`;
    },
  };
}

/** The benches that load a server with wrk stop at once, saying how to get it, where it is missing. */
export function requireWrk(): void {
  if (run(["sh", "-c", "command -v wrk"]).code === 0) return;
  console.error("wrk is needed: apt-get install wrk");
  process.exit(2);
}

/** The middle value (the upper one of an even count): what the benches report over rounds. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Replaces (or appends) the `## title` section of bench/RESULTS.md, leaving the others alone. */
export function writeSection(title: string, body: string) {
  const file = join(import.meta.dir, "RESULTS.md");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\nEach section is rewritten by its benchmark; see README.md for the commands.\n";
  const heading = `## ${title}`;
  const start = text.indexOf(heading + "\n");
  const section = `${heading}\n\n${body.trim()}\n`;
  if (start < 0) return writeFileSync(file, text.trimEnd() + "\n\n" + section);
  const next = text.indexOf("\n## ", start + heading.length);
  writeFileSync(file, text.slice(0, start) + section + (next < 0 ? "" : text.slice(next)));
}

/** Builds the executable exactly as `npm run build` does (its command from package.json), to `outfile`; `drop`: flags left out. */
export function buildLikeNpm(outfile: string, extra: string[] = [], drop: string[] = []): void {
  const root = join(import.meta.dir, "..");
  // The bundler's command: what follows the emptying of dist/.
  const script = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.build as string).split("&&").at(-1)!.trim();
  const args = script.split(/\s+/).slice(1).filter((a) => !drop.includes(a));
  args[args.indexOf("--outfile") + 1] = outfile;
  const build = run([process.execPath, ...args, ...extra], { cwd: root });
  if (build.code !== 0) throw new Error(`build failed: ${build.stderr}`);
}
