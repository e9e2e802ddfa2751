/**
 * Failures that the end-to-end tests cannot easily provoke (no Azure login here, an untrusted
 * certificate, a refused connection), produced for real and turned into sentences.
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import { CredentialUnavailableError } from "@azure/identity";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { loadOrCreateTlsIdentity } from "../../emulator/src/certs.ts";
import { ConfigError, describeError, LabError } from "../src/errors.ts";
import { StreamError } from "../src/stream.ts";
import { tempDir } from "./support.ts";

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

describe("describeError", () => {
  it("a failed credential chain says az login and AZURE_TENANT_ID", () => {
    const { message, exitCode } = describeError(
      new CredentialUnavailableError("AzureCliCredential: az not found"),
    );
    expect(message).toMatch(/^No Azure credential could get a token: run `az login`/);
    expect(message).toContain("AZURE_TENANT_ID");
    expect(message).toContain("new terminal");
    expect(exitCode).toBe(1);
  });

  it("the same sentence when the openai client's token function failed (demos 4, 5 and 9 call it first)", async () => {
    // project.getOpenAIClient() hands the credential to the openai SDK as an apiKey function; the SDK
    // wraps its failure ("Failed to get token from 'apiKey' function: …") with the credential's error as cause.
    const openai = new OpenAI({
      baseURL: "https://127.0.0.1:9/none",
      apiKey: async () => {
        throw new CredentialUnavailableError("AzureCliCredential: az not found");
      },
    });
    const { message, exitCode } = describeError(await failureOf(openai.files.list()));
    expect(message).toMatch(/^No Azure credential could get a token: run `az login`/);
    expect(message).not.toContain("apiKey");
    expect(exitCode).toBe(1);
  });

  it("an untrusted certificate names NODE_EXTRA_CA_CERTS; verification stays on", async () => {
    const identity = await loadOrCreateTlsIdentity(tempDir("lab-untrusted-"));
    const server = https.createServer({ cert: identity.certPem, key: identity.keyPem }, (_req, res) =>
      res.end("{}"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api/projects/lab`;
    try {
      const err = await failureOf(fetch(url));
      const { message } = describeError(err, { backend: "emulator", endpoint: url });
      expect(message).toMatch(
        /^The emulator's TLS certificate is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/,
      );
      expect(message).toContain("NODE_EXTRA_CA_CERTS");
      const azure = describeError(err, { backend: "azure", endpoint: url }).message;
      expect(azure).toContain("a proxy or antivirus may be intercepting HTTPS");
    } finally {
      server.close();
    }
  });

  it("a refused connection says which host could not be reached", async () => {
    // A port that was just free: nothing listens there now.
    const probe = https.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const err = await failureOf(fetch(`https://127.0.0.1:${port}/`));
    const described = describeError(err, {
      endpoint: `https://127.0.0.1:${port}/api/projects/lab`,
      backend: "emulator",
    });
    expect(described.message).toBe(
      `Could not reach 127.0.0.1:${port} (ECONNREFUSED): check FOUNDRY_PROJECT_ENDPOINT and your network connection, and that the emulator is still running.`,
    );
    expect(described.fatal).toBe(false);
  });

  it("a fetch that fails without a code still becomes a sentence", async () => {
    const err = await failureOf(fetch("http://127.0.0.1:9/")); // a port fetch itself refuses
    expect(describeError(err, { endpoint: "https://127.0.0.1:9/api/projects/lab" }).message).toMatch(
      /^The connection to 127\.0\.0\.1:9 was lost \(fetch failed\)/,
    );
  });

  it("service errors by status: 404 deployment (exit 2), 404 agent, 429, 500, and a plain 404", () => {
    const error = (status: number, code: string, message: string) =>
      OpenAI.APIError.generate(status, { error: { code, message } }, message, new Headers());
    expect(
      describeError(error(404, "DeploymentNotFound", "The API deployment 'x' does not exist."), {
        model: "x",
      }),
    ).toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('The model deployment "x" does not exist'),
    });
    // On the emulator there is no portal to look in: the names it serves, and the doctor that lists them.
    const offline = describeError(
      error(404, "DeploymentNotFound", "The API deployment 'x' does not exist."),
      {
        model: "x",
        backend: "emulator",
      },
    ).message;
    expect(offline).toContain("one the emulator serves (`pnpm lab:doctor` lists them");
    expect(offline).not.toContain("Foundry portal");
    expect(
      describeError(error(404, "not_found", "Agent 'a' not found."), { agentName: "a", demo: "0-hello" })
        .message,
    ).toBe(
      'The agent "a" was not found in this project: run `pnpm 0-hello` first (create-agent, then chat).',
    );
    expect(describeError(error(429, "too_many_requests", "Rate limit")).message).toContain(
      "tokens-per-minute (TPM)",
    );
    expect(describeError(error(500, "internal_error", "oops")).message).toContain(
      "had an internal problem (500)",
    );
    expect(describeError(error(404, "not_found", "Resource not found")).message).toContain(
      "check that FOUNDRY_PROJECT_ENDPOINT is the project endpoint",
    );
  });

  it("a response the service failed is its sentence, and the chat goes on", () => {
    const described = describeError(
      new StreamError("The local model server at http://localhost:11434/v1 is not reachable (ECONNREFUSED)"),
    );
    expect(described).toEqual({
      message:
        "This answer failed on the service: The local model server at http://localhost:11434/v1 is not reachable (ECONNREFUSED). Ask again when that is fixed.",
      exitCode: 1,
      fatal: false,
    });
  });

  it("the lab's own errors keep their sentence and exit code; anything else points at LAB_DEBUG", () => {
    expect(describeError(new ConfigError("Fix X."))).toEqual({ message: "Fix X.", exitCode: 2, fatal: true });
    expect(describeError(new LabError("Do Y.", 3))).toEqual({ message: "Do Y.", exitCode: 3, fatal: true });
    expect(describeError(new Error("strange")).message).toBe(
      "Unexpected error: strange (set LAB_DEBUG=1 to see the details).",
    );
  });
});
