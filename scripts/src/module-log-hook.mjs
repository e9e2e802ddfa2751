// `node --import ./module-log-hook.mjs …`: writes every module URL the process loads to the file in
// LAB_MODULE_LOG when it exits. The bench and a test use it to show that tracing off loads nothing of
// OpenTelemetry's SDK. Plain JavaScript: it runs before Node strips any types.
import { writeFileSync } from "node:fs";
import module from "node:module";

const seen = new Set();
module.registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
process.on("exit", () => {
  if (process.env.LAB_MODULE_LOG) writeFileSync(process.env.LAB_MODULE_LOG, [...seen].join("\n"));
});
