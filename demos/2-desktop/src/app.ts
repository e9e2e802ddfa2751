/**
 * The full-screen app: presentation only. The agent, its tools and the tool-calling loop are demo 1's,
 * imported unchanged (see chat.ts); this file only decides how a turn looks on screen: a transcript
 * with streaming text and tool entries, an input line with history, a status bar and a help line.
 */

import { runToolLoop, type ToolLoopOptions } from "@lab/1-tools/tool-loop";
import type { ToolRegistry } from "@lab/1-tools/tools";
import type { AgentRef } from "@lab/shared/agents";
import { describeError, type ErrorContext } from "@lab/shared/errors";
import { recordResponse, tracedTurns } from "@lab/shared/spans";
import { clip } from "@lab/shared/terminal";
import { Box, Text, useApp, useInput, useStdout } from "ink";
import type OpenAI from "openai";
import React, { useCallback, useEffect, useRef, useState } from "react";

// No JSX: Node runs these files directly (type stripping), and JSX would need a build step.
const h = React.createElement;

// With --otel each question is one turn span, like the line chats: the loop's spans nest inside it.
const runTurn = tracedTurns("2-desktop", (turn: ToolLoopOptions) => runToolLoop(turn));

export interface DesktopProps {
  openai: OpenAI;
  agent: AgentRef;
  tools: ToolRegistry;
  conversation: string;
  /** Where the agent runs ("emulator (embedded) https://…") and the deployment it was given. */
  backend: string;
  deployment: string;
  errorContext: ErrorContext;
}

type Entry =
  | { kind: "user"; text: string }
  | { kind: "agent"; text: string; model?: string; done: boolean }
  | { kind: "tool"; name: string; args: string; output: string; ok: boolean; ms: number }
  | { kind: "error" | "notice"; text: string };

export function Desktop(props: DesktopProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const [entries, setEntries] = useState<Entry[]>([
    {
      kind: "notice",
      text: `Chatting with ${props.agent.name} v${props.agent.version}. Try: What's the weather in Oslo?`,
    },
  ]);
  const [input, setInputState] = useState("");
  // What is typed, kept in a ref too: several key events can arrive before React renders again (a fast
  // typist, a paste, a loaded machine), and Enter must see every character typed before it.
  const typed = useRef("");
  const setInput = useCallback((text: string) => {
    typed.current = text;
    setInputState(text);
  }, []);
  const [history, setHistory] = useState<string[]>([]);
  const [browse, setBrowse] = useState<number | undefined>(undefined);
  const [served, setServed] = useState<string | undefined>(undefined);
  const turn = useRef<AbortController | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const add = useCallback((entry: Entry) => setEntries((all) => [...all, entry]), []);
  /** Streams text into the answer being written, starting one after any tool entries shown so far. */
  const appendText = useCallback((delta: string) => {
    setEntries((all) => {
      const last = all[all.length - 1];
      if (last?.kind === "agent" && !last.done)
        return [...all.slice(0, -1), { ...last, text: last.text + delta }];
      return [...all, { kind: "agent", text: delta, done: false }];
    });
  }, []);
  /** Marks the answer finished (with the model that served it), or shows that nothing came back. */
  const finishAnswer = useCallback((model: string | undefined) => {
    setEntries((all) => {
      const last = all[all.length - 1];
      if (last?.kind === "agent" && !last.done) return [...all.slice(0, -1), { ...last, done: true, model }];
      return model ? [...all, { kind: "agent", text: "(no text)", done: true, model }] : all;
    });
  }, []);

  const send = useCallback(
    async (question: string) => {
      const controller = new AbortController();
      turn.current = controller;
      setBusy(true);
      add({ kind: "user", text: question });
      try {
        const response = await runTurn({
          openai: props.openai,
          agent: props.agent,
          tools: props.tools,
          input: question,
          conversation: props.conversation,
          signal: controller.signal,
          print: async (stream) => {
            for await (const event of stream) {
              if (event.type === "response.output_text.delta") appendText(event.delta);
              if (event.type === "response.completed") {
                recordResponse(event.response);
                return event.response;
              }
            }
            throw new Error("the stream ended before the response was complete");
          },
          onToolCall: (call) =>
            add({
              kind: "tool",
              name: call.name,
              args: call.arguments,
              output: call.output,
              ok: call.ok,
              ms: call.durationMs,
            }),
        });
        setServed(response.model);
        finishAnswer(response.model);
      } catch (err) {
        finishAnswer(undefined);
        if (controller.signal.aborted)
          add({ kind: "notice", text: "Cancelled; nothing from this answer was kept." });
        else add({ kind: "error", text: describeError(err, props.errorContext).message });
      } finally {
        turn.current = undefined;
        setBusy(false);
      }
    },
    [props, add, appendText, finishAnswer],
  );

  useInput((char, key) => {
    if (key.ctrl && char === "c") {
      turn.current?.abort();
      exit();
      return;
    }
    if (key.escape) {
      turn.current?.abort();
      return;
    }
    // Text and Enter can arrive in one chunk (a paste, tmux, a loaded machine): Ink then reports no
    // `return`, only the characters, so a line ending in a newline is submitted here too.
    const newline = char ? char.search(/[\r\n]/) : -1;
    if (key.return || newline >= 0) {
      if (newline > 0) setInput(typed.current + char.slice(0, newline));
      const question = typed.current.trim();
      if (!question || turn.current !== undefined) return; // the ref, not `busy`: no render needed
      if (question === "/exit" || question === "/quit") return exit();
      setHistory((past) => [...past, question]);
      setBrowse(undefined);
      setInput("");
      void send(question);
      return;
    }
    if (key.upArrow || key.downArrow) {
      if (history.length === 0) return;
      const from = browse ?? history.length;
      const next = Math.min(history.length, Math.max(0, from + (key.upArrow ? -1 : 1)));
      setBrowse(next === history.length ? undefined : next);
      setInput(history[next] ?? "");
      return;
    }
    if (key.backspace || key.delete) return setInput(typed.current.slice(0, -1));
    if (char && !key.ctrl && !key.meta) setInput(typed.current + char);
  });

  const width = Math.max(20, size.columns);
  const transcriptHeight = Math.max(3, size.rows - 4);
  const lines = entries.flatMap((entry) => linesOf(entry, width - 2)).slice(-transcriptHeight);
  const status = statusLine(
    {
      backend: props.backend,
      agent: `${props.agent.name} v${props.agent.version}`,
      served,
      deployment: props.deployment,
      conversation: props.conversation,
    },
    width - 1,
  );

  return h(
    Box,
    { flexDirection: "column", width, height: size.rows },
    h(
      Box,
      { flexDirection: "column", height: transcriptHeight, paddingX: 1 },
      ...lines.map((line, i) =>
        h(Text, { key: i, color: line.color, dimColor: line.dim, wrap: "truncate" }, line.text || " "),
      ),
    ),
    h(
      Box,
      { paddingX: 1 },
      h(Text, { color: "cyan", bold: true }, "You › "),
      h(Text, null, input),
      h(Text, { inverse: true }, " "),
      busy ? h(Text, { dimColor: true }, "  answering… (Esc cancels)") : null,
    ),
    h(Text, { inverse: true, wrap: "truncate" }, ` ${status}`.padEnd(width)),
    h(
      Text,
      { dimColor: true, wrap: "truncate" },
      " Enter send · ↑/↓ history · Esc cancel answer · Ctrl-C quit",
    ),
  );
}

interface Line {
  text: string;
  color?: string;
  dim?: boolean;
}

/** An entry as terminal lines, wrapped to the pane's width (model output is plain text, never markup). */
function linesOf(entry: Entry, width: number): Line[] {
  switch (entry.kind) {
    case "user":
      return wrap(`You › ${entry.text}`, width).map((text) => ({ text, color: "cyan" }));
    case "agent": {
      const body = wrap(`Agent › ${entry.text}${entry.done ? "" : " ▍"}`, width).map((text) => ({ text }));
      return entry.model ? [...body, { text: `  ↳ served by ${entry.model}`, dim: true }] : body;
    }
    case "tool":
      // At most two lines: the call, then the start of what went back to the model.
      return [
        `  ${entry.ok ? "⚙" : "⚠"} ${entry.name}(${clip(entry.args, width - entry.name.length - 20)}) ${Math.round(entry.ms)} ms`,
        `    → ${clip(entry.output, width - 6)}`,
      ].map((text) => ({ text, color: entry.ok ? "green" : "yellow" }));
    case "error":
      return wrap(`✖ ${entry.text}`, width).map((text) => ({ text, color: "red" }));
    case "notice":
      return wrap(entry.text, width).map((text) => ({ text, dim: true }));
  }
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/(\s+)/)) {
      if ((line + word).length > width && line.trim()) {
        out.push(line.trimEnd());
        line = word.trimStart();
      } else line += word;
      while (line.length > width) {
        out.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    out.push(line.trimEnd());
  }
  return out;
}

/** Columns and rows, updated when the terminal is resized. */
function useTerminalSize(): { columns: number; rows: number } {
  const stdout = useStdout().stdout as NodeJS.WriteStream;
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  });
  return size;
}

/**
 * The status bar, fitted to the terminal, in the README's order: the backend, the agent and its version, the
 * model that served the last answer, the conversation. All four show at 80 columns too: the backend's URL
 * gives way to its host and then to its kind, the id loses its middle, the model its "model:" label and
 * then its "via <deployment>".
 */
export function statusLine(
  parts: { backend: string; agent: string; served?: string; deployment: string; conversation: string },
  width: number,
): string {
  const { backend, agent, served, deployment, conversation } = parts;
  // "emulator (embedded) https://127.0.0.1:4443/api/projects/lab" → "emulator 127.0.0.1:4443", then "emulator";
  // "Azure AI Foundry https://my-foundry.services.ai.azure.com/api/projects/p" → "Azure AI Foundry my-foundry".
  const url = /^(.*?)(?: \([^)]*\))? https?:\/\/([^/]+)/.exec(backend);
  const kind = url?.[1] ?? backend.replace(/ \(.*$/, "");
  const hostBackend = url ? `${kind} ${url[2]?.replace(/\.services\.ai\.azure\.com$/, "")}` : backend;
  const shortId =
    conversation.length > 22 ? `${conversation.slice(0, 13)}…${conversation.slice(-6)}` : conversation;
  const via = served && served !== deployment ? `${served} via ${deployment}` : (served ?? deployment);
  const model = `model: ${via}`;
  const candidates = [
    [backend, agent, model, conversation],
    [hostBackend, agent, model, conversation],
    [hostBackend, agent, model, shortId],
    [kind, agent, model, shortId],
    [kind, agent, via, shortId],
    [kind, agent, served ?? deployment, shortId],
    [kind.replace(/^Azure AI Foundry$/, "Azure"), agent, served ?? deployment, shortId],
  ].map((c) => c.join(" · "));
  // Past the last one, the bar is cut at its end (the terminal is very narrow): the backend stays.
  return candidates.find((line) => line.length <= width) ?? (candidates.at(-1) as string);
}
