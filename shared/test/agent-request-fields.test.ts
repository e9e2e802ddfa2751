/**
 * Foundry refuses, in a request that names an agent, what the agent's definition owns (`tools`,
 * `tool_choice`, `parallel_tool_calls`: 400 "Not allowed when agent is specified."), and refuses output
 * items the service made (`web_search_call`, `mcp_list_tools`, `reasoning` …) sent back as input. The
 * emulator refuses both too, but only on the paths a test drives; this reads every demo and shared helper
 * so a field that would fail first on Azure cannot come back unnoticed.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function sources(): string[] {
  const dirs = [
    path.join(root, "shared/src"),
    ...readdirSync(path.join(root, "demos")).map((demo) => path.join(root, "demos", demo, "src")),
  ];
  return dirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
      .map((entry) => path.join(entry.parentPath, entry.name)),
  );
}

/** The text of each `responses.create(…)` / `responses.stream(…)` call's arguments, parentheses balanced. */
function responseCalls(code: string): string[] {
  const calls: string[] = [];
  for (const match of code.matchAll(/\bresponses\.(?:create|stream)\(/g)) {
    let depth = 1;
    let end = (match.index ?? 0) + match[0].length;
    for (; end < code.length && depth > 0; end++) {
      if (code[end] === "(") depth++;
      else if (code[end] === ")") depth--;
    }
    calls.push(code.slice((match.index ?? 0) + match[0].length, end - 1));
  }
  return calls;
}

/** What one file does that the service refuses; empty when nothing. */
export function refusedFields(code: string): string[] {
  const problems: string[] = [];
  const agentCalls = responseCalls(code).filter((args) => /agentReference\(|agent_reference/.test(args));
  for (const args of agentCalls) {
    if (/\btools\s*[:,}]/.test(args)) problems.push("tools in a request that names an agent");
  }
  // A field set anywhere in a file that sends agent requests may reach one of them through a variable.
  if (agentCalls.length > 0) {
    for (const field of ["tool_choice", "parallel_tool_calls"]) {
      if (new RegExp(`\\b${field}\\b\\s*:`).test(code))
        problems.push(`${field} in a file that calls an agent`);
    }
  }
  // A client's output items go back only as their answers (function_call_output, mcp_approval_response).
  if (
    responseCalls(code).length > 0 &&
    /\.\.\.\s*[\w.?]+\.output\b(?!_)|\binput\s*:\s*[\w.?]+\.output\b(?!_)/.test(code)
  ) {
    problems.push("a response's output resent as input");
  }
  return problems;
}

describe("requests the service refuses when an agent is specified", () => {
  it("no demo or shared helper sends tools, tool_choice, parallel_tool_calls or output items with an agent", () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((file) =>
      refusedFields(readFileSync(file, "utf8")).map((problem) => `${path.relative(root, file)}: ${problem}`),
    );
    expect(found).toEqual([]);
  });

  it("the check finds each refused field (so the test above can fail)", () => {
    const call = (extra: string) =>
      `await openai.responses.create({ input, stream: true${extra} }, { body: agentReference(agent) });`;
    expect(refusedFields(call(""))).toEqual([]);
    expect(refusedFields(call(", tool_choice: 'none'"))).toEqual([
      "tool_choice in a file that calls an agent",
    ]);
    expect(refusedFields(call(", tools: []"))).toEqual(["tools in a request that names an agent"]);
    expect(refusedFields(`const extra = { parallel_tool_calls: false };\n${call(", ...extra")}`)).toEqual([
      "parallel_tool_calls in a file that calls an agent",
    ]);
    expect(refusedFields(`input = [...previous.output, ...approvals];\n${call("")}`)).toEqual([
      "a response's output resent as input",
    ]);
    // Without an agent a request may carry its own tools (demo 8's server calls the model that way).
    expect(refusedFields("openai.responses.create({ model, input, tools, tool_choice: 'auto' })")).toEqual(
      [],
    );
  });
});
