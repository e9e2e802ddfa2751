/**
 * On the emulator path, `@azure/ai-projects` gets this instead of `@azure/identity` (commands.ts
 * redirects the import): the SDK imports the identity library only for `getBearerTokenProvider`, and
 * loading the library (MSAL and every credential) is a third of a demo's start-up. This is the same
 * function, over the same TokenCredential interface; on Azure the real library is used, unchanged.
 */
import type { GetTokenOptions, TokenCredential } from "@azure/identity";

export function getBearerTokenProvider(
  credential: TokenCredential,
  scopes: string | string[],
  options?: GetTokenOptions,
): () => Promise<string> {
  return async () => {
    const token = await credential.getToken(scopes, options);
    if (!token) throw new Error("The credential returned no token.");
    return token.token;
  };
}
