/**
 * Every failure a learner can meet becomes one sentence that says what to do, never a stack trace.
 * Exit codes follow the lab's contract: 2 for configuration or usage errors, 1 for anything else.
 */

/** A problem the user fixes in configuration or on the command line (exit code 2). */
export class ConfigError extends Error {
  readonly exitCode = 2;
}

/** A problem already phrased for the user (exit code 1 unless stated). */
export class LabError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** How a learner (re)runs a demo (create-agent, then chat), for the sentences that tell them to. */
export function demoCommand(demo: string | undefined): string {
  return `pnpm ${demo ?? "<n>-<name>"}`;
}

export interface Described {
  message: string;
  exitCode: number;
  /** Whether an interactive chat should stop (true) or can carry on with the next question (false). */
  fatal: boolean;
}

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  status?: number;
  statusCode?: number;
  cause?: unknown;
  error?: { code?: string; message?: string };
  details?: { error?: { code?: string; message?: string } };
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TLS_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_UNTRUSTED",
]);

/** Walks `cause` chains (fetch wraps socket errors twice) and returns every error-like link. */
function chain(err: unknown): ErrorLike[] {
  const links: ErrorLike[] = [];
  let current: unknown = err;
  for (let depth = 0; current && typeof current === "object" && depth < 6; depth++) {
    links.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return links;
}

function serviceMessage(e: ErrorLike): string {
  return e.error?.message ?? e.details?.error?.message ?? e.message ?? "";
}

function serviceCode(e: ErrorLike): string {
  return e.error?.code ?? e.details?.error?.code ?? e.code ?? "";
}

/** Context a message can name: where the request went and which names the user chose. */
export interface ErrorContext {
  endpoint?: string;
  model?: string;
  agentName?: string;
  backend?: "azure" | "emulator";
  /** The demo being run, e.g. "0-hello", so a message can name its command. */
  demo?: string;
}

/** An Azure credential could not get a token: anywhere in the chain, since the openai client wraps a failed token function in an OpenAIError. */
export function credentialFailed(err: unknown): boolean {
  return chain(err).some((e) =>
    ["CredentialUnavailableError", "AggregateAuthenticationError", "AuthenticationRequiredError"].includes(
      e.name ?? "",
    ),
  );
}

export function describeError(err: unknown, ctx: ErrorContext = {}): Described {
  if (err instanceof ConfigError) return { message: err.message, exitCode: 2, fatal: true };
  if (err instanceof LabError) return { message: err.message, exitCode: err.exitCode, fatal: true };
  const links = chain(err);
  const top = links[0] ?? {};
  const name = top.name ?? "";
  const status = top.status ?? top.statusCode;
  const where = ctx.endpoint ? new URL(ctx.endpoint).host : "the service";

  if (name === "APIUserAbortError" || name === "AbortError") {
    return { message: "Cancelled.", exitCode: 130, fatal: false };
  }
  if (credentialFailed(err) || (name === "AuthenticationError" && status === undefined)) {
    return {
      message:
        "No Azure credential could get a token: run `az login` (add `--tenant <id>` or set AZURE_TENANT_ID if you have several tenants), and open a new terminal after any role change.",
      exitCode: 1,
      fatal: true,
    };
  }
  if (status === 401) {
    return {
      message: `${where} rejected the token (401): your login has probably expired; run \`az login\` again (set AZURE_TENANT_ID if you have several tenants) and open a new terminal.`,
      exitCode: 1,
      fatal: true,
    };
  }
  if (status === 403) {
    return {
      message: `Your identity is signed in but not allowed to use this Foundry project (403): ask for the role Foundry User (formerly Azure AI User) on the Foundry resource, then open a new terminal so a fresh token carries it.`,
      exitCode: 1,
      fatal: true,
    };
  }
  if (status === 404) {
    const text = `${serviceCode(top)} ${serviceMessage(top)}`;
    if (/deployment/i.test(text)) {
      return {
        message:
          ctx.backend === "emulator"
            ? `The model deployment "${ctx.model ?? "?"}" does not exist in this project: set MODEL_DEPLOYMENT to one the emulator serves (\`pnpm lab:doctor\` lists them; by default model-router, lab-offline-mini and lab-offline-large), or unset it.`
            : `The model deployment "${ctx.model ?? "?"}" does not exist in this project: set MODEL_DEPLOYMENT in .env to a deployment listed under "Models + endpoints" in the Foundry portal.`,
        exitCode: 2,
        fatal: true,
      };
    }
    if (/vector store/i.test(text)) {
      return {
        message: `${serviceMessage(top).replace(/\.$/, "")}: it was deleted or expired; run \`${demoCommand(ctx.demo)}\` again and create-agent makes a new one.`,
        exitCode: 1,
        fatal: true,
      };
    }
    if (/agent/i.test(text)) {
      return {
        message: `The agent${ctx.agentName ? ` "${ctx.agentName}"` : ""} was not found in this project: run \`${demoCommand(ctx.demo)}\` first (create-agent, then chat).`,
        exitCode: 1,
        fatal: true,
      };
    }
    return {
      message: `${where} answered 404 (${serviceMessage(top) || "not found"}): check that FOUNDRY_PROJECT_ENDPOINT is the project endpoint (https://<resource>.services.ai.azure.com/api/projects/<project>).`,
      exitCode: 1,
      fatal: true,
    };
  }
  if (status === 429) {
    return {
      message:
        "The model deployment is throttling requests (429) even after the SDK's retries: wait a minute, or raise the deployment's tokens-per-minute (TPM) quota in the Foundry portal.",
      exitCode: 1,
      fatal: false,
    };
  }
  if (status === 400 && /\b(not (?:supported|enabled|available)|unsupported)\b/i.test(serviceMessage(top))) {
    // Built-in tools differ by region and policy (web search above all): say so, not just "400".
    const tool = /\b(web[_ ]search(?:_preview)?|file[_ ]search|code[_ ]interpreter|mcp)\b/i.exec(
      serviceMessage(top),
    )?.[1];
    return {
      message: `${tool ? `The ${tool.replace(/_/g, " ")} tool` : "A tool this agent uses"} is not available for this Foundry project (its region or a policy does not allow it): ${serviceMessage(top).replace(/\.$/, "")}. Try a project in another region, or ask your admin to enable it.`,
      exitCode: 1,
      fatal: true,
    };
  }
  if (status === 400) {
    return {
      message: `The service refused the request (400): ${serviceMessage(top) || "invalid request"}.`,
      exitCode: 1,
      fatal: false,
    };
  }
  if (status !== undefined && status >= 500) {
    return {
      message: `${where} had an internal problem (${status}) after the SDK's retries: try again in a moment.`,
      exitCode: 1,
      fatal: false,
    };
  }
  for (const link of links) {
    if (link.code && TLS_CODES.has(link.code)) {
      return {
        message:
          ctx.backend === "emulator"
            ? `The emulator's TLS certificate is not trusted (${link.code}): set NODE_EXTRA_CA_CERTS to the certificate path that \`pnpm emulator\` prints, or unset FOUNDRY_PROJECT_ENDPOINT to use the embedded emulator.`
            : `TLS verification of ${where} failed (${link.code}): a proxy or antivirus may be intercepting HTTPS; ask IT for its root certificate and point NODE_EXTRA_CA_CERTS at it.`,
        exitCode: 1,
        fatal: true,
      };
    }
  }
  for (const link of links) {
    if (link.code && NETWORK_CODES.has(link.code)) {
      return {
        message: `Could not reach ${where} (${link.code}): check FOUNDRY_PROJECT_ENDPOINT and your network connection${ctx.backend === "emulator" ? ", and that the emulator is still running" : ""}.`,
        exitCode: 1,
        fatal: false,
      };
    }
  }
  if (
    name === "APIConnectionError" ||
    name === "APIConnectionTimeoutError" ||
    /terminated|socket hang up|fetch failed/i.test(top.message ?? "")
  ) {
    return {
      message: `The connection to ${where} was lost (${top.message?.replace(/\.$/, "") || "no answer"}); check your network and ask again.`,
      exitCode: 1,
      fatal: false,
    };
  }
  if (name === "StreamError") {
    // The service said why this one answer failed (`response.failed`, an `error` event): its sentence is
    // the message, and the next question may well work (the local model server started, a blip passed).
    const said = (top.message ?? "").trim().replace(/([^.!?])$/, "$1.");
    return {
      message: `This answer failed on the service: ${said} Ask again when that is fixed.`,
      exitCode: 1,
      fatal: false,
    };
  }
  return {
    message: `Unexpected error: ${top.message ?? String(err)} (set LAB_DEBUG=1 to see the details).`,
    exitCode: 1,
    fatal: true,
  };
}
