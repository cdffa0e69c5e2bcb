#!/usr/bin/env node
/**
 * The `odet` executable (started by the launcher `bin/odet.js`): runs the program on `process.argv`
 * with the real stdout/stderr and exits with its code; a reader that closes the output (`| head`)
 * ends it quietly (exit 141).
 * @module
 */
import { exitOnClosedPipe } from "./internal/pipes.js";
import { runCli } from "./program.js";

exitOnClosedPipe([process.stdout, process.stderr], (code) => process.exit(code));
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
