/**
 * On the emulator path, `@azure/ai-projects` gets this instead of `@azure/storage-blob` (commands.ts
 * redirects the import, as it does the identity library's): the SDK needs the storage library only to
 * upload a dataset's or a model's files (`datasets.uploadFile`/`uploadFolder`, `beta.models`), which no
 * demo does, yet importing it loads some 150 modules (blob and storage clients, an XML parser) at every
 * start. These are the two classes the SDK names; constructing one loads the real library then and
 * returns the real client, so an upload behaves exactly as it would without the redirect.
 */
import { createRequire } from "node:module";

type Client = new (...args: unknown[]) => object;
interface StorageBlob {
  ContainerClient: Client;
  BlobServiceClient: Client;
}

let real: StorageBlob | undefined;

/** The real library, resolved from the SDK's own folder (it is the SDK's dependency, not ours). */
function storageBlob(): StorageBlob {
  // Synchronous because the SDK constructs the client synchronously; its CommonJS build, so `require`.
  real ??= createRequire(import.meta.resolve("@azure/ai-projects"))("@azure/storage-blob") as StorageBlob;
  return real;
}

/** A constructor that constructs the real class (statics read through to it too). */
function deferred(name: keyof StorageBlob): Client {
  return new Proxy(function storageClient() {} as unknown as Client, {
    construct: (_target, args) => new (storageBlob()[name])(...args),
    get: (_target, key) => Reflect.get(storageBlob()[name], key),
  });
}

export const ContainerClient = deferred("ContainerClient");
export const BlobServiceClient = deferred("BlobServiceClient");
