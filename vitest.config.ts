import { defineConfig } from "vitest/config";

// Tests run the real SDKs over real HTTPS against the emulator, and demos as child processes,
// so they are I/O bound: a few workers keep 2 cores busy without starving the child processes.
export default defineConfig({
  test: {
    include: ["{shared,emulator,scripts,demos,mcp-servers}/**/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 3,
  },
});
