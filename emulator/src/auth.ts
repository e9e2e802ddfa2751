/**
 * Bearer-token check with fault injection. The emulator cannot validate Entra tokens, so any token is
 * accepted, except a few magic prefixes that make it answer the way the service does when things go wrong.
 * Tests use them to drive the unmodified SDKs into their real error paths:
 *   lab-expired…  401 (token lifetime)        lab-denied…     403 (missing data action)
 *   lab-throttled… 429 with retry-after: 0   lab-drop-stream… streams are cut after two text deltas
 */
import type { IncomingMessage } from "node:http";
import { ApiError } from "./errors.ts";

export function authenticate(req: IncomingMessage, method: string, path: string): string {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) {
    throw new ApiError(401, "Unauthorized", "Authorization header with a Bearer token is required.", {
      type: "authentication_error",
    });
  }
  const token = match[1] ?? "";
  if (token.startsWith("lab-expired")) {
    throw new ApiError(401, "Unauthorized", "Lifetime validation failed, the token is expired.", {
      type: "authentication_error",
    });
  }
  if (token.startsWith("lab-denied")) {
    const action = method === "GET" ? "read" : method === "DELETE" ? "delete" : "write";
    throw new ApiError(
      403,
      "PermissionDenied",
      `The principal lab-user lacks the required data action Microsoft.CognitiveServices/accounts/AIServices/agents/${action} to perform ${method} ${path} operation.`,
      { type: "permission_error" },
    );
  }
  if (token.startsWith("lab-throttled")) {
    throw new ApiError(429, "too_many_requests", "Rate limit exceeded. Try again in 0 seconds.", {
      type: "rate_limit_error",
      headers: { "retry-after": "0" },
    });
  }
  return token;
}
