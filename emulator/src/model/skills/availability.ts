/**
 * Built-in tools the emulated project does not offer, as in a region or under a policy where the service
 * refuses them: `EMULATOR_UNAVAILABLE_TOOLS=web_search,file_search` (read per request). The refusal is the
 * service's shape: a 400 that names the tool, before any output.
 */
import { ApiError } from "../../errors.ts";

export function requireAvailable(toolType: string): void {
  const unavailable = (process.env.EMULATOR_UNAVAILABLE_TOOLS ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const family = toolType.replace(/_preview$/, "");
  if (unavailable.includes(toolType) || unavailable.includes(family)) {
    throw new ApiError(
      400,
      "tool_not_supported",
      `The tool '${toolType}' is not supported in this region or for this project (emulated with EMULATOR_UNAVAILABLE_TOOLS).`,
      { param: "tools" },
    );
  }
}
