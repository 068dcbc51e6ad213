#!/usr/bin/env bun
// First: @peculiar/x509 (tsyringe) needs it before it loads, and in the bundled binary the PDF
// modules that import it themselves load later, on first use (modules/sealing/lazy.ts).
import "reflect-metadata";
import { restartWithServerAllocator } from "./allocator";

// `serve` first starts itself again with its allocator setting (allocator.ts), before the rest
// of the program loads, which keeps the restart cheap.
const args = process.argv.slice(2);
restartWithServerAllocator(args);
void import("./cli/commands").then(({ runCli }) => runCli(args));
