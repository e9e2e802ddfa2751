/**
 * The openai SDK, the OpenAI Agents SDK and the Vercel AI SDK against the emulator (shared/test/client-suite.ts),
 * over verified HTTPS, with a model deployment and no agent (a request naming an agent may not carry tools).
 */
import { afterAll, beforeAll } from "vitest";
import { type ClientTarget, clientSuite } from "../../shared/test/client-suite.ts";
import { type Lab, startLab } from "./support.ts";

let lab: Lab;
let target: ClientTarget;

beforeAll(async () => {
  // A pause between chunks, so a background turn is still running when a test looks at it.
  lab = await startLab({ streamDelayMs: 30 });
  target = {
    openai: lab.openai,
    baseURL: `${lab.emulator.endpoint}/openai/v1`,
    apiKey: "t",
    model: "model-router",
  };
});
afterAll(() => lab.close());

clientSuite("the emulator", () => target);
