/**
 * "Lab issues": an MCP server with real side effects on a local JSON file. Reading tools are annotated
 * read-only; creating, commenting on and closing issues change the file, which is why demo 6 asks a
 * human before the agent may call them.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

export interface Issue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  comments: Array<{ body: string; at: string }>;
  created_at: string;
}

interface IssueFile {
  next: number;
  issues: Issue[];
}

/** The JSON store: read on every call, written atomically, seeded with two issues on first use. */
export class IssueStore {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }

  read(): IssueFile {
    if (!existsSync(this.file)) {
      const now = new Date().toISOString();
      return {
        next: 3,
        issues: [
          {
            number: 1,
            title: "Projector in room 2 flickers",
            body: "HDMI cable seems loose.",
            state: "open",
            comments: [],
            created_at: now,
          },
          {
            number: 2,
            title: "Wi-Fi password for the workshop",
            body: "Post it at the door.",
            state: "open",
            comments: [],
            created_at: now,
          },
        ],
      };
    }
    return JSON.parse(readFileSync(this.file, "utf8")) as IssueFile;
  }

  write(data: IssueFile): void {
    // Private like the emulator's data: a folder only this user can enter, a file only they can read.
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

const text = (value: unknown) => ({
  content: [{ type: "text" as const, text: JSON.stringify(value, null, 2) }],
});
const failure = (message: string) => ({ content: [{ type: "text" as const, text: message }], isError: true });

export function issuesServer(store: IssueStore): McpServer {
  const server = new McpServer({ name: "lab-issues", version: "1.0.0" });
  const find = (number: number) => store.read().issues.find((issue) => issue.number === number);

  server.registerTool(
    "list_issues",
    {
      description: "List the lab's issues, optionally only open or closed ones.",
      inputSchema: { state: z.enum(["open", "closed", "all"]).optional() },
      annotations: { readOnlyHint: true },
    },
    async ({ state = "open" }) =>
      text(
        store
          .read()
          .issues.filter((issue) => state === "all" || issue.state === state)
          .map(({ number, title, state }) => ({ number, title, state })),
      ),
  );

  server.registerTool(
    "get_issue",
    {
      description: "Get one issue with its body and comments.",
      inputSchema: { number: z.number().int().positive() },
      annotations: { readOnlyHint: true },
    },
    async ({ number }) => {
      const issue = find(number);
      return issue ? text(issue) : failure(`There is no issue #${number}.`);
    },
  );

  server.registerTool(
    "create_issue",
    {
      description: "Create a new issue with a title and a body.",
      inputSchema: { title: z.string().min(1).max(200), body: z.string().max(5000).default("") },
      annotations: { readOnlyHint: false, destructiveHint: false },
    },
    async ({ title, body }) => {
      const data = store.read();
      const issue: Issue = {
        number: data.next,
        title,
        body,
        state: "open",
        comments: [],
        created_at: new Date().toISOString(),
      };
      store.write({ next: data.next + 1, issues: [...data.issues, issue] });
      return text({ created: issue.number, title });
    },
  );

  server.registerTool(
    "comment_on_issue",
    {
      description: "Add a comment to an issue.",
      inputSchema: { number: z.number().int().positive(), body: z.string().min(1).max(5000) },
      annotations: { readOnlyHint: false, destructiveHint: false },
    },
    async ({ number, body }) => {
      const data = store.read();
      const issue = data.issues.find((i) => i.number === number);
      if (!issue) return failure(`There is no issue #${number}.`);
      issue.comments.push({ body, at: new Date().toISOString() });
      store.write(data);
      return text({ commented: number, comments: issue.comments.length });
    },
  );

  server.registerTool(
    "close_issue",
    {
      description: "Close an issue.",
      inputSchema: { number: z.number().int().positive() },
      annotations: { readOnlyHint: false, destructiveHint: true },
    },
    async ({ number }) => {
      const data = store.read();
      const issue = data.issues.find((i) => i.number === number);
      if (!issue) return failure(`There is no issue #${number}.`);
      // Closing a closed issue changes nothing (as on GitHub), and the answer says so.
      if (issue.state === "closed") return text({ closed: number, already_closed: true });
      issue.state = "closed";
      store.write(data);
      return text({ closed: number });
    },
  );
  return server;
}
