/**
 * The stand-in the emulator path gives `@azure/ai-projects` for `@azure/storage-blob` (commands.ts):
 * what it constructs must be the real library's clients, so an upload works as without the redirect.
 */
import { describe, expect, it } from "vitest";
import { BlobServiceClient, ContainerClient } from "../src/emulator-storage-blob.ts";

describe("the storage-blob stand-in", () => {
  it("constructs the real clients, as the SDK's uploads call them", () => {
    const sas = "https://lab.blob.core.windows.net/datasets-v1?sv=2024-08-04&sig=abc";
    const container = new ContainerClient(sas) as {
      containerName: string;
      url: string;
      uploadBlockBlob: unknown;
    };
    expect(container.constructor.name).toBe("ContainerClient");
    expect(container.containerName).toBe("datasets-v1");
    expect(container.url).toBe(sas);
    expect(typeof container.uploadBlockBlob).toBe("function");

    const service = new BlobServiceClient("https://lab.blob.core.windows.net/?sig=abc") as {
      getContainerClient(name: string): { containerName: string };
    };
    expect(service.getContainerClient("models").containerName).toBe("models");
  });
});
