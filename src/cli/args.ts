export type Out = (line: string) => void;

/** A usage or input error: printed as one line, exit code 2. */
export class CliError extends Error {}

/** The value after `--name`, or from `--name=value`. */
export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) {
    const v = args[i + 1];
    if (v === undefined || v.startsWith("--")) throw new CliError(`${name} needs a value`);
    return v;
  }
  return args.find((a) => a.startsWith(name + "="))?.slice(name.length + 1);
}

/** The first `--option` (or `--option=value`) of `args` not among `known`, refused as a one-line error. */
export function refuseUnknownOptions(command: string, args: string[], known: readonly string[]): void {
  const unknown = args.map((a) => a.split("=")[0]!).find((a) => a.startsWith("--") && !known.includes(a));
  if (unknown) throw new CliError(`${command} takes no option ${unknown}; see certyneo ${command} --help`);
}
