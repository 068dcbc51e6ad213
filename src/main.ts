#!/usr/bin/env bun
import { restartWithServerAllocator } from "./allocator";

// `serve` first starts itself again with its allocator setting (allocator.ts), before the rest
// of the program loads, which keeps the restart cheap.
const args = process.argv.slice(2);
restartWithServerAllocator(args);
// reflect-metadata before anything else: @peculiar/x509 (tsyringe) needs it before it loads, and
// in the bundled binary the modules that import it themselves load later, on first use
// (modules/sealing/lazy.ts). Imported after the restart: the process it replaces needs none of it.
void import("reflect-metadata").then(() => import("./cli/commands")).then(({ runCli }) => runCli(args));
