/**
 * Doctor's code-sandbox row: what the emulator's code interpreter (demo 4) runs behind on this machine,
 * read from this shell's environment as an emulator started here reads it: a bubblewrap sandbox, the
 * unsandboxed mode the user opted into (EMULATOR_CODE_SANDBOX=none), or the one sentence why code
 * interpreter calls are refused. A warning at worst: every other demo runs without it.
 */
import { sandboxInfo } from "@lab/emulator/sandbox/run";
import type { Backend } from "@lab/shared/config";

export async function sandboxLine(
  backend: Backend | undefined,
): Promise<{ check: string; status: "ok" | "warn" | "skip"; detail: string }> {
  const check = "code sandbox (demo 4-code)";
  if (backend === "azure") {
    return { check, status: "skip", detail: "not used: on Azure code runs in the service's own sandbox" };
  }
  const info = await sandboxInfo(process.env);
  if (info.boundary === "bubblewrap") {
    return { check, status: "ok", detail: `bubblewrap (Linux namespaces), Python ${info.python}` };
  }
  if (info.boundary === "none") {
    return {
      check,
      status: "warn",
      detail: `EMULATOR_CODE_SANDBOX=none: code runs unsandboxed, as your own user (Python ${info.python})`,
    };
  }
  const why = (info.refused ?? "no sandbox").replace(/^it was not run: /, "");
  return { check, status: "warn", detail: `code interpreter calls are refused: ${why}` };
}
