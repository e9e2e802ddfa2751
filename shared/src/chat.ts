/**
 * The terminal chat loop every demo uses: read a line, run one turn, print the answer as it streams,
 * report the served model, repeat. When stdin is not a terminal it reads one turn per line (a question
 * asked during a turn, such as an approval, takes the next line) and ends at end of input. A multi-line paste, or a ``` fenced block, is one turn (turns.ts). `/exit` and Ctrl-D end the chat; Ctrl-C during an answer cancels that turn, and
 * Ctrl-C at the prompt (or a second one) ends the chat.
 */
import path from "node:path";
import readline from "node:readline";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import type { Response, ResponseStreamEvent } from "openai/resources/responses/responses";
import { ConfigError, describeError } from "./errors.ts";
import type { Lab } from "./lab.ts";
import { formatServed, servedTurn } from "./router-report.ts";
import { recordResponse, tracedTurns } from "./spans.ts";
import { printStream } from "./stream.ts";
import { bold, cyan, dim, problem } from "./terminal.ts";
import { flushTracing } from "./tracing.ts";
import { Transcript } from "./transcript.ts";
import { InputLines, turnsFrom } from "./turns.ts";

export interface ChatArgs {
  /** Write a Markdown transcript (--log). */
  log: boolean;
  /** Show each stream event and output item (--trace). */
  trace: boolean;
  /** Start a new conversation instead of resuming the saved one (--new). */
  fresh: boolean;
  /** The demo's own flags, by name. */
  flags: Record<string, boolean>;
}

const CHAT_FLAGS = {
  log: "write a transcript",
  trace: "show the protocol events",
  new: "start a new conversation",
  // Read by connect() (shared/tracing.ts); listed here so the chat accepts them.
  otel: "record OpenTelemetry traces",
  "otel-content": "record traces with message content",
};

/**
 * Parses the chat flags; anything else is a usage error (exit 2) that lists what is taken. A demo may
 * accept more boolean flags (`extra`, name → what it does), returned in `flags`, and refuse some of the
 * shared ones (`without`: demo 2 has no --log or --trace).
 */
export function chatArgs(
  argv = process.argv.slice(2),
  extra: Record<string, string> = {},
  without: readonly (keyof typeof CHAT_FLAGS)[] = [],
): ChatArgs {
  const shared = Object.entries(CHAT_FLAGS).filter(([name]) => !(without as string[]).includes(name));
  const known: Record<string, string> = { ...Object.fromEntries(shared), ...extra };
  try {
    const { values } = parseArgs({
      args: argv.filter((a) => a !== "--"),
      options: Object.fromEntries(Object.keys(known).map((name) => [name, { type: "boolean" as const }])),
      allowPositionals: false,
    });
    const flags = Object.fromEntries(Object.keys(extra).map((name) => [name, values[name] === true]));
    return { log: values.log === true, trace: values.trace === true, fresh: values.new === true, flags };
  } catch (err) {
    const list = Object.entries(known).map(([name, what]) => `--${name} (${what})`);
    const said = (err as Error).message.split("\n")[0]?.replace(/([^.])$/, "$1.");
    throw new ConfigError(`${said} Chat takes ${list.join(", ")}.`);
  }
}

export interface Turn {
  /** What the user typed. */
  input: string;
  /** Aborted when the user presses Ctrl-C during this turn: pass it to the SDK call. */
  signal: AbortSignal;
  /** Prints a streamed response as it arrives and returns the final response. */
  print(stream: AsyncIterable<ResponseStreamEvent>): Promise<Response>;
  /**
   * Asks the user a question in the middle of the turn and returns the answer: typed at a terminal, or,
   * when stdin is not a terminal, the next line of the input (echoed after the question). Undefined when
   * the piped input ended before an answer; at a terminal, Ctrl-D at the question cancels the turn. At a
   * terminal the answer starts empty (words typed ahead wait for the next prompt) and stays out of ↑.
   */
  ask(question: string): Promise<string | undefined>;
  /** Prints one line of the demo's own (a tool call, a saved file) on a line of its own. */
  line(text: string): void;
}

export interface ChatOptions {
  args: ChatArgs;
  /** Shown once before the first prompt. */
  intro?: string;
  /** Runs one turn and returns the final response (usually `turn.print(stream)`). */
  onTurn(turn: Turn): Promise<Response>;
}

export async function chat(lab: Lab, options: ChatOptions): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const transcript = options.args.log
    ? new Transcript(lab.config.env.LAB_TRANSCRIPTS_DIR ?? path.join(lab.config.repoRoot, "transcripts"), {
        demo: lab.config.demo.id,
        backend: lab.backendLabel,
        agent: lab.config.agentName,
      })
    : undefined;
  // readline draws what is typed where the cursor is, which while an answer streams is inside the answer:
  // during a turn it draws into `echo`, which holds it back, and a line typed ahead is shown after the
  // next prompt instead (the rest of a line not yet sent is redrawn by the prompt itself).
  let typingAhead = false;
  let typedAhead = 0; // lines sent while an answer streamed, not yet shown after a prompt
  const echo = new Writable({
    write(chunk, _encoding, done) {
      if (!typingAhead) process.stdout.write(chunk);
      done();
    },
  });
  Object.defineProperties(echo, {
    isTTY: { value: true },
    columns: { get: () => process.stdout.columns },
    rows: { get: () => process.stdout.rows },
  });
  process.stdout.on("resize", () => echo.emit("resize"));
  const rl = readline.createInterface({
    input: process.stdin,
    output: interactive ? echo : undefined,
    terminal: interactive,
    historySize: 200,
  });
  rl.on("line", () => {
    if (typingAhead) typedAhead++;
  });
  // An answer to a question ("y") is not a turn: ↑ must not recall it. readline adds every line to its
  // history and lets a "history" listener change the list, so an answer's entry is undone there.
  let asking = false;
  let turnsHistory: string[] = [];
  rl.on("history", (history: string[]) => {
    if (asking) history.splice(0, history.length, ...turnsHistory);
    else turnsHistory = [...history];
  });
  const prompt = bold(cyan("You › "));
  rl.setPrompt(prompt);
  // Ctrl-D can close the input while an answer is still streaming: finish that turn, then leave.
  let closed = false;
  rl.once("close", () => {
    closed = true;
  });
  let prompting = false;
  const showPrompt = () => {
    if (interactive && !closed) {
      // A line sent while the answer streamed comes next: its prompt is drawn plainly and the line after
      // it; readline's own prompt would redraw the words typed after it first.
      if (typedAhead > 0) process.stdout.write(prompt);
      else rl.prompt(true); // the cursor stays after any words typed ahead, not yet sent
      prompting = true;
    }
  };
  // Whatever a turn prints (the answer, trace lines, a demo's own lines, an error) starts on a fresh line.
  let atLineStart = true;
  const out = (chunk: string) => {
    if (!chunk) return;
    process.stdout.write(chunk);
    atLineStart = chunk.endsWith("\n");
  };
  const endLine = () => {
    if (!atLineStart) out("\n");
  };

  let active: AbortController | undefined;
  let interrupted = false;
  const interrupt = () => {
    if (active && !active.signal.aborted) {
      active.abort();
      return;
    }
    process.stdout.write("\n");
    interrupted = true;
    if (active) process.exit(130); // second Ctrl-C while a cancelled turn is still winding down
    rl.close();
  };
  if (interactive) rl.on("SIGINT", interrupt);
  else process.on("SIGINT", interrupt);

  // Tracing: each turn is one span; the SDK's invoke_agent spans and the demo's own nest inside it.
  const onTurn = tracedTurns(lab.config.demo.id, options.onTurn);
  if (options.intro) process.stdout.write(`${dim(options.intro)}\n`);
  process.stdout.write(
    `${dim(`Type a message. ${interactive ? "/exit or Ctrl-D leaves; Ctrl-C cancels an answer." : "Reading one turn per line from stdin."}${transcript ? ` Transcript: ${path.relative(process.cwd(), transcript.file)}` : ""}`)}\n`,
  );
  showPrompt();

  // A multi-line paste or a ``` fenced block is one turn (turns.ts); an open fence gets a "…" prompt.
  const continues = (open: boolean) => {
    rl.setPrompt(open ? dim("   … ") : prompt);
    if (open && interactive && !closed) rl.prompt();
  };
  const lines = new InputLines(rl, { interactive });
  for await (const line of turnsFrom(lines, { continues })) {
    prompting = false;
    const input = line.trim();
    if (!interactive) process.stdout.write(`${prompt}${input}\n`);
    else if (typedAhead > 0) {
      process.stdout.write(`${line}\n`); // after the prompt showPrompt() drew
      typedAhead = Math.max(0, typedAhead - line.split("\n").length);
    }
    // "exit" without the slash is what people type to leave; another /word ("/help") is a command the chat
    // does not have, so it is answered here rather than sent to the agent as a message.
    if (/^\/?(?:exit|quit)$/i.test(input)) break;
    if (/^\/[a-z]+$/i.test(input)) {
      process.stdout.write(
        `${dim(`  ${input} is not a command here: /exit or Ctrl-D leaves, Ctrl-C cancels an answer; anything else goes to the agent.`)}\n`,
      );
      showPrompt();
      continue;
    }
    if (input === "") {
      showPrompt();
      continue;
    }
    const controller = new AbortController();
    active = controller;
    const started = performance.now();
    let waited = 0; // time the turn's questions waited for the human, kept out of the service's time
    let shown = "";
    atLineStart = true;
    try {
      out(bold("Agent › "));
      typingAhead = interactive;
      const response = await onTurn({
        input,
        signal: controller.signal,
        print: async (stream) => {
          const { response, text } = await printStream(stream, {
            trace: options.args.trace,
            atLineStart: () => atLineStart,
            write: out,
          });
          shown = text;
          recordResponse(response);
          return response;
        },
        ask: (question) => {
          const asked = performance.now();
          const answered = (answer: string | undefined) => {
            waited += performance.now() - asked;
            return answer;
          };
          if (!interactive) return askPiped(question, lines, controller.signal).then(answered);
          // While a question is pending, readline hands the next line to it instead of the chat loop.
          return new Promise<string | undefined>((resolve, reject) => {
            if (closed) return resolve(undefined); // Ctrl-D came before the question: the input has ended
            // Ctrl-D at the question closes the input: the question never gets an answer, so cancel the turn.
            const cancel = () => controller.abort();
            rl.once("close", cancel);
            // Words typed ahead (not yet sent) belong to the next turn, not to the answer: they are taken
            // out of the line while the question waits (unseen: still typing ahead) and put back after it.
            asking = true;
            const ahead = rl.line;
            rl.write(null, { ctrl: true, name: "e" });
            rl.write(null, { ctrl: true, name: "u" });
            const done = () => {
              rl.off("close", cancel);
              controller.signal.removeEventListener("abort", aborted);
              asking = false;
              typingAhead = true;
              if (ahead && !closed) rl.write(ahead); // drawn by the next prompt
            };
            const aborted = () => {
              done();
              reject(controller.signal.reason);
            };
            controller.signal.addEventListener("abort", aborted, { once: true });
            typingAhead = false; // the question and its answer are drawn as typed
            rl.question(question, { signal: controller.signal }, (answer) => {
              done();
              resolve(answer);
            });
          }).then(answered);
        },
        line: (text) => {
          endLine();
          out(`${text}\n`);
        },
      });
      const served = servedTurn(response, lab.config.model, performance.now() - started, waited);
      endLine();
      out(`${formatServed(served)}\n`);
      transcript?.recordTurn(input, shown || response.output_text || "", served);
    } catch (err) {
      endLine();
      if (controller.signal.aborted) {
        process.stdout.write(
          `${dim("  ↳ cancelled; nothing from this answer was kept. Ask again, or Ctrl-C to leave.")}\n`,
        );
        transcript?.recordNote(`Turn cancelled: ${input}`);
      } else {
        const described = describeError(err, lab.errorContext());
        problem(described.message);
        if (process.env.LAB_DEBUG) console.error(err); // what the sentence promises
        transcript?.recordNote(`Error: ${described.message}`);
        if (!interactive || described.fatal) {
          process.exitCode = described.exitCode;
          break;
        }
      }
    } finally {
      active = undefined;
      typingAhead = false;
      await flushTracing(); // `pnpm traces` shows this turn now, not when the chat ends
    }
    showPrompt();
  }
  // Ctrl-D at the prompt: end the prompt's line so the shell's prompt starts on its own.
  if (prompting && !interrupted) process.stdout.write("\n");
  lines.close();
  rl.close();
  process.removeListener("SIGINT", interrupt);
  if (transcript)
    process.stdout.write(`${dim(`Transcript saved to ${path.relative(process.cwd(), transcript.file)}`)}\n`);
}

/**
 * A question in a piped chat: printed like a prompt, answered by the next input line (echoed, as piped
 * turns are, so the output reads like the session). Undefined when the input ends first; Ctrl-C (SIGINT)
 * cancels the turn as it does at a terminal.
 */
async function askPiped(
  question: string,
  lines: InputLines,
  signal: AbortSignal,
): Promise<string | undefined> {
  process.stdout.write(question);
  const next = await lines.next(signal);
  process.stdout.write(`${next?.text ?? ""}\n`);
  return next?.text;
}
