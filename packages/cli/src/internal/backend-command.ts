import { activeBackend, type BackendName } from "@od/tf";
import { initBackend } from "@od/tf/node";
import type { CliIo } from "../io.js";
import { out, printJson } from "./common.js";

/** `odet backend`: selects the tfjs backend as training would and says which one and why. */
export async function backendCommand(
  io: CliIo,
  o: { prefer?: BackendName[]; json?: boolean },
): Promise<void> {
  await initBackend(o.prefer === undefined ? {} : { prefer: o.prefer });
  const info = activeBackend();
  if (o.json) {
    printJson(io, info ?? null);
    return;
  }
  if (info === undefined) {
    out(io, "no tfjs backend is active");
    return;
  }
  out(io, `backend: ${info.name}`);
  out(io, `why: ${info.reason}`);
  for (const s of info.skipped) out(io, `skipped ${s.name}: ${s.why}`);
}
