/**
 * Which real model, if any, stands behind the emulator: `EMULATOR_MODEL_URL` (any OpenAI-compatible
 * server: Foundry Local, Ollama, LM Studio, llama.cpp), `EMULATOR_MODEL_NAME` (the model there, and the
 * name of its deployment here), `EMULATOR_MODEL_KEY` (optional bearer key), `EMULATOR_MODEL_TIMEOUT_MS`
 * (how long one model step may take) and `EMULATOR_ROUTER` (where `model-router` sends requests).
 * A bad value stops the emulator before it starts, with one sentence naming the variable.
 */
import { LAB_LARGE, LAB_MINI } from "../routing.ts";

/**
 * `local`: model-router sends every request to the local model (the default once a URL is set).
 * `lab`: model-router stays on the lab models; the local model answers only when named.
 * `auto`: demanding requests (the ones the lab sends to lab-offline-large) go to the local model,
 * the rest to lab-offline-mini.
 */
export type RouterMode = "local" | "lab" | "auto";

export interface LocalModelSettings {
  /** The server's OpenAI-compatible base URL, without a trailing slash (e.g. http://localhost:11434/v1). */
  url: string;
  /** The model's name on that server; also the emulator's deployment name for it. */
  name: string;
  key?: string;
  /** The longest one Chat Completions call may take before the response fails. */
  timeoutMs: number;
  router: RouterMode;
}

/** A setting the emulator cannot start with; `pnpm emulator` exits 2 with this message. */
export class EmulatorSettingError extends Error {
  override name = "EmulatorSettingError";
}

/** Local CPU models can take a while on a long prompt; a step that takes longer than this fails. */
const DEFAULT_TIMEOUT_MS = 120_000;
const RESERVED = ["model-router", LAB_MINI, LAB_LARGE];

export function localModelFromEnv(env: NodeJS.ProcessEnv = process.env): LocalModelSettings | null {
  const raw = env.EMULATOR_MODEL_URL?.trim() ?? "";
  const routerRaw = env.EMULATOR_ROUTER?.trim().toLowerCase() ?? "";
  if (routerRaw !== "" && !["local", "lab", "auto"].includes(routerRaw)) {
    throw new EmulatorSettingError(
      `EMULATOR_ROUTER is "${env.EMULATOR_ROUTER}"; use local, lab or auto (or leave it unset).`,
    );
  }
  if (raw === "") {
    if (routerRaw === "local" || routerRaw === "auto") {
      throw new EmulatorSettingError(
        `EMULATOR_ROUTER=${routerRaw} needs a local model: set EMULATOR_MODEL_URL (e.g. http://localhost:11434/v1) and EMULATOR_MODEL_NAME.`,
      );
    }
    return null;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL("invalid:");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new EmulatorSettingError(
      `EMULATOR_MODEL_URL is "${raw}"; set it to the server's OpenAI-compatible base URL, e.g. http://localhost:11434/v1 (Ollama).`,
    );
  }
  const name = env.EMULATOR_MODEL_NAME?.trim() ?? "";
  if (name === "") {
    throw new EmulatorSettingError(
      `EMULATOR_MODEL_URL is set but EMULATOR_MODEL_NAME is not: set it to a model the server has (its ${raw.replace(/\/+$/, "")}/models lists them), e.g. qwen2.5:0.5b.`,
    );
  }
  if (RESERVED.includes(name)) {
    throw new EmulatorSettingError(
      `EMULATOR_MODEL_NAME is "${name}", a name the lab models already use; use the local model's own name.`,
    );
  }
  const timeoutRaw = env.EMULATOR_MODEL_TIMEOUT_MS?.trim() ?? "";
  const timeoutMs = timeoutRaw === "" ? DEFAULT_TIMEOUT_MS : Number(timeoutRaw);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new EmulatorSettingError(
      `EMULATOR_MODEL_TIMEOUT_MS is "${timeoutRaw}"; set it to a number of milliseconds (default ${DEFAULT_TIMEOUT_MS}).`,
    );
  }
  const key = env.EMULATOR_MODEL_KEY?.trim();
  return {
    url: raw.replace(/\/+$/, ""),
    name,
    ...(key ? { key } : {}),
    timeoutMs,
    router: (routerRaw || "local") as RouterMode,
  };
}
