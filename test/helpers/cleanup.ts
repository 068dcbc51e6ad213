/** Preloaded by bun test (bunfig.toml): the temporary directories of the whole run go at its end. */
import { afterAll } from "bun:test";
import { removeTempDirs } from "./spawn";

afterAll(removeTempDirs);
