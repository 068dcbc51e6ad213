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
