// A small Markdown subset rendered as DOM nodes, for the model's answers. Every piece of the model's
// text becomes a text node (textContent), never HTML: "<script>" in an answer is shown as those
// characters. Supported: paragraphs, # headings, - and 1. lists, ``` code blocks, `code`, **bold**,
// *italic*, and [links](https://…) (http and https only; `sandbox:` links name a generated file, which
// the page shows under the answer, so they render as plain text).

/** @param {string} text @returns {DocumentFragment} */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (/^\s*```/.test(line)) {
      const code = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i] ?? "")) code.push(lines[i++]);
      i++; // the closing fence (or the end of a still-streaming answer)
      const pre = el("pre");
      pre.append(el("code", code.join("\n")));
      fragment.append(pre);
    } else if (/^#{1,6}\s/.test(line)) {
      const level = Math.min(6, (/^#+/.exec(line)?.[0].length ?? 1) + 2);
      const heading = el(`h${level}`);
      inline(heading, line.replace(/^#+\s*/, ""));
      fragment.append(heading);
      i++;
    } else if (/^\s*(?:[-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const list = el(ordered ? "ol" : "ul");
      while (i < lines.length && /^\s*(?:[-*+]|\d+[.)])\s+/.test(lines[i] ?? "")) {
        const item = el("li");
        inline(item, (lines[i] ?? "").replace(/^\s*(?:[-*+]|\d+[.)])\s+/, ""));
        list.append(item);
        i++;
      }
      fragment.append(list);
    } else if (line.trim() === "") {
      i++;
    } else {
      const paragraph = [];
      while (
        i < lines.length &&
        (lines[i] ?? "").trim() !== "" &&
        !/^\s*(?:```|#{1,6}\s|[-*+]\s|\d+[.)]\s)/.test(lines[i] ?? "")
      )
        paragraph.push(lines[i++]);
      const p = el("p");
      inline(p, paragraph.join("\n"));
      fragment.append(p);
    }
  }
  return fragment;
}

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

/** Appends `text` to `parent`, with inline code, bold, italic and links as elements. */
function inline(parent, text) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    parent.append(document.createTextNode(text.slice(last, match.index)));
    const [, code, bold, italic, label, href] = match;
    if (code !== undefined) parent.append(el("code", code));
    else if (bold !== undefined) parent.append(el("strong", bold));
    else if (italic !== undefined) parent.append(el("em", italic));
    else parent.append(link(label ?? "", href ?? ""));
    last = (match.index ?? 0) + match[0].length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

function link(label, href) {
  let url;
  try {
    url = new URL(href);
  } catch {
    return document.createTextNode(label);
  }
  if (url.protocol === "sandbox:") {
    // A file the code wrote, named as the service shows it (sandbox:/mnt/data/chart.svg); the page turns
    // it into a link to the downloaded file once the file arrives (app.js).
    const file = el("span", label);
    file.dataset.sandboxFile = url.pathname.split("/").pop() ?? "";
    return file;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return el("span", label);
  const a = el("a", label);
  a.href = url.href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}
