#!/usr/bin/env node
/**
 * The `od` executable: runs the program on `process.argv` with the real stdout/stderr and exits with
 * its code.
 * @module
 */
import { runCli } from "./program.js";

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
