// Demo 4's page: posts a message to our server and renders what it streams back (server-sent events
// read from the fetch body): the answer's text as it arrives, the code the agent ran with its logs, the
// files the code generated (images inline, others as downloads) and the model that served the answer.
import { renderMarkdown } from "./markdown.js";

const transcript = document.getElementById("transcript");
const form = document.getElementById("ask");
const input = document.getElementById("message");
const send = document.getElementById("send");
const status = document.getElementById("status");
let conversation;

async function newConversation() {
  transcript.replaceChildren();
  status.textContent = "";
  conversation = undefined;
  const res = await fetch("/api/conversations", { method: "POST" });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `The server answered ${res.status}.`);
  conversation = body.conversation;
  document.body.dataset.conversation = conversation;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One answer on the page, updated by the events of its stream. */
function answerView() {
  const article = el("article", "turn assistant");
  article.dataset.state = "streaming";
  const calls = el("div", "calls");
  const answer = el("div", "answer");
  const files = el("div", "files");
  const footer = el("p", "served");
  article.append(calls, answer, files, footer);
  transcript.append(article);
  let text = "";
  let deltas = 0;
  const code = new Map();

  function codeView(id) {
    let view = code.get(id);
    if (!view) {
      const details = el("details", "code");
      const summary = el("summary", undefined, "Code the agent ran");
      const pre = el("pre");
      const source = el("code");
      pre.append(source);
      const logsTitle = el("p", "logs-title", "Logs");
      const logs = el("pre", "logs");
      logsTitle.hidden = logs.hidden = true;
      details.append(summary, pre, logsTitle, logs);
      calls.append(details);
      view = { details, summary, source, logsTitle, logs };
      code.set(id, view);
    }
    return view;
  }

  return {
    article,
    handle(event) {
      switch (event.type) {
        case "text":
          text += event.delta;
          deltas++;
          article.dataset.deltas = String(deltas);
          answer.replaceChildren(renderMarkdown(text));
          break;
        case "code_start":
          codeView(event.id).summary.textContent = "Code the agent is writing…";
          break;
        case "code":
          codeView(event.id).source.textContent += event.delta;
          break;
        case "code_done": {
          const view = codeView(event.id);
          view.source.textContent = event.code ?? "";
          view.summary.textContent =
            event.status === "failed" ? "Code the agent ran (it did not finish)" : "Code the agent ran";
          view.logs.textContent = event.logs || "(nothing printed)";
          view.logsTitle.hidden = view.logs.hidden = false;
          break;
        }
        case "file": {
          // The answer's own link to the file (`[chart.svg](sandbox:/mnt/data/chart.svg)`) becomes the
          // download link, and the figure then needs no caption repeating the name.
          const named = [...answer.querySelectorAll("[data-sandbox-file]")].find(
            (node) => node.dataset.sandboxFile === event.filename,
          );
          if (named) {
            const a = el("a", undefined, named.textContent);
            a.href = event.url;
            a.download = event.filename;
            named.replaceWith(a);
          }
          files.append(fileView(event, !named));
          break;
        }
        case "done":
          footer.textContent = `served by ${event.model} via ${event.deployment}`;
          article.dataset.state = "done";
          break;
        case "error":
          article.append(el("p", "error", event.message));
          article.dataset.state = "error";
          break;
      }
    },
  };
}

/** An image inline, anything else as a download link; a file that cannot be fetched says so. */
function fileView({ filename, url, image }, caption = true) {
  const figure = el("figure");
  const notice = () =>
    figure.replaceChildren(el("p", "notice", `${filename} could not be downloaded from the container.`));
  if (image) {
    const img = el("img");
    img.alt = filename;
    img.addEventListener("error", notice, { once: true });
    img.src = url;
    figure.append(img);
    if (caption) figure.append(el("figcaption", undefined, filename));
  } else {
    const a = el("a", undefined, `Download ${filename}`);
    a.href = url;
    a.download = filename;
    figure.append(a);
  }
  return figure;
}

async function ask(message) {
  const user = el("article", "turn user", message);
  transcript.append(user);
  const view = answerView();
  const res = await fetch("/api/chat", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ conversation, message }),
  });
  if (!res.ok || !res.body) {
    const body = await res.json().catch(() => ({}));
    view.handle({ type: "error", message: body.error ?? `The server answered ${res.status}.` });
    return;
  }
  // Server-sent events: "data: {json}" blocks separated by a blank line.
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .join("\n");
      if (data) view.handle(JSON.parse(data));
      end = buffer.indexOf("\n\n");
    }
  }
  if (view.article.dataset.state === "streaming") {
    view.handle({ type: "error", message: "The answer stopped before it was complete." });
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const message = input.value.trim();
  if (!message || !conversation) return;
  input.value = "";
  send.disabled = true;
  status.textContent = "";
  try {
    await ask(message);
  } catch (err) {
    status.textContent = `Could not reach the page's server: ${err.message}`;
  } finally {
    send.disabled = false;
    input.focus();
  }
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

document.getElementById("new-conversation").addEventListener("click", () => {
  newConversation().catch((err) => {
    status.textContent = err.message;
  });
});

newConversation().catch((err) => {
  status.textContent = err.message;
});
