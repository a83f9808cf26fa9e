// The page's behaviour: ask (streamed), show sources, open a cited passage in its article, write a brief.
// Everything that comes from the index is set with textContent or as a text node, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { messages: [], busy: false };

function setStatus(text) { $("status").textContent = text; }

function showError(text) {
  const box = $("error");
  box.textContent = text;
  box.hidden = !text;
}

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}

function filters() {
  const out = {};
  if ($("since").value) out.since = $("since").value;
  if ($("until").value) out.until = $("until").value;
  if ($("outlet").value.trim()) out.source = [$("outlet").value.trim()];
  return out;
}

async function failure(response) {
  let message = response.status + " " + response.statusText;
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch (_) { /* not JSON */ }
  if (response.status === 401) {
    message += " (enter the API key under “API key”)";
    $("api-key").closest("details").open = true;
  }
  return message;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- asking ------------------------------------------------------------------------------------
function renderAnswer(target, text, sources, sentences) {
  target.replaceChildren();
  const parts = text.split(/(\[\d+\])/);
  for (const part of parts) {
    const m = /^\[(\d+)\]$/.exec(part);
    const source = m && sources[Number(m[1]) - 1];
    if (!source) { target.append(document.createTextNode(part)); continue; }
    const button = el("button", "cite", part);
    button.type = "button";
    button.setAttribute("aria-label", "source " + m[1] + ": " + (source.title || "untitled"));
    button.addEventListener("click", () => openSource(source, quoted(sentences, source.n)));
    target.append(button);
  }
}

function quoted(sentences, n) {
  return (sentences || []).filter((s) => s.supported && s.citations.includes(n)).map((s) => s.text);
}

function renderSources(list, sources, sentences) {
  list.replaceChildren();
  for (const source of sources) {
    if (!source.cited) continue;
    const item = el("li");
    item.value = source.n;
    const open = el("button", "source-title", source.title || "(untitled)");
    open.type = "button";
    open.addEventListener("click", () => openSource(source, quoted(sentences, source.n)));
    item.append(open, el("span", "meta", " — " + (source.source || "unknown outlet") + ", " +
                          ((source.published_at || "").slice(0, 10) || "undated")));
    if (/^https?:\/\//i.test(source.url || "")) {
      const link = el("a", "ext", "article");
      link.href = source.url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      item.append(" ", link);
    }
    list.append(item);
  }
}

function newTurn(question) {
  const turn = el("article", "turn");
  turn.append(el("h2", "question", question));
  const answer = el("p", "answer");
  answer.setAttribute("aria-busy", "true");
  const note = el("p", "note");
  const heading = el("h3", "sources-heading", "Sources");
  heading.hidden = true;
  const list = el("ol", "sources");
  turn.append(answer, note, heading, list);
  $("conversation").append(turn);
  return { answer, note, heading, list };
}

async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = event.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
      if (data && data !== "[DONE]") onEvent(JSON.parse(data));
    }
  }
}

async function streamAnswer(response, view) {
  let text = "";
  let final = null;
  await readEvents(response, (event) => {
    if (event.error) throw new Error(event.error.message);
    const delta = event.choices && event.choices[0] && event.choices[0].delta;
    if (delta && delta.content) {
      text += delta.content;
      view.answer.textContent = text;
    }
    if (event.sources) final = event;
  });
  if (!final) throw new Error("the answer stopped before it finished");
  return final;
}

async function ask(question) {
  const view = newTurn(question);
  const messages = [...state.messages, { role: "user", content: question }];
  const body = { model: "news-assistant", stream: true, messages, ...filters() };
  let final;
  try {
    const response = await fetch("v1/chat/completions", { method: "POST", headers: headers(), body: JSON.stringify(body) });
    if (!response.ok) throw new Error(await failure(response));
    final = await streamAnswer(response, view);
  } catch (error) {
    view.answer.closest(".turn").remove();
    throw error;
  }
  view.answer.removeAttribute("aria-busy");
  renderAnswer(view.answer, final.answer, final.sources, final.sentences);
  if (final.searched && final.searched !== question) view.note.textContent = "Searched: " + final.searched;
  if (final.abstained && final.reason) view.note.textContent = "(" + final.reason + ")";
  renderSources(view.list, final.sources, final.sentences);
  view.heading.hidden = !view.list.children.length;
  state.messages = [...messages, { role: "assistant", content: final.answer }];
}

// ---- a cited passage in its article ------------------------------------------------------------
async function openSource(source, sentences) {
  showError("");
  const panel = $("article");
  $("article-title").textContent = source.title || "(untitled)";
  $("article-meta").textContent = (source.source || "unknown outlet") + ", " +
    ((source.published_at || "").slice(0, 10) || "undated") + " · source [" + source.n + "]";
  const body = $("article-body");
  body.replaceChildren(markPassage(source.text, sentences));
  panel.hidden = false;
  try {
    const url = "v1/articles/" + encodeURIComponent(source.article_id) + "?chunk_id=" + encodeURIComponent(source.chunk_id);
    const response = await fetch(url, { headers: headers() });
    if (response.ok) showArticle(body, await response.json(), source, sentences);
  } catch (_) { /* the passage alone is still shown */ }
  panel.focus();
  const mark = body.querySelector("mark");
  if (mark) mark.scrollIntoView({ block: "center" });
}

// The passage as a <mark>, the answer's sentences that cite it (when found word for word) in <strong>.
function markPassage(text, sentences) {
  const mark = el("mark", "passage");
  const words = (sentence) => sentence.split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const spans = [];
  for (const sentence of sentences || []) {
    const pattern = words(sentence);
    const found = pattern.length ? new RegExp(pattern.join("\\s+")).exec(text) : null;
    if (found) spans.push([found.index, found.index + found[0].length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    mark.append(document.createTextNode(text.slice(at, start)), el("strong", "quoted", text.slice(start, end)));
    at = end;
  }
  mark.append(document.createTextNode(text.slice(at)));
  return mark;
}

function showArticle(body, article, source, sentences) {
  const text = article.body || "";
  const span = article.highlight;
  if (!span) {  // the passage is not found word for word: show it, then the article
    body.replaceChildren(markPassage(source.text, sentences), el("p", "", text));
    return;
  }
  body.replaceChildren(document.createTextNode(text.slice(0, span[0])),
                       markPassage(text.slice(span[0], span[1]), sentences), document.createTextNode(text.slice(span[1])));
}

// ---- briefs ------------------------------------------------------------------------------------
async function brief(topic) {
  const articles = Number($("articles").value) || 8;
  const body = { topic, articles, format: "html", ...filters() };
  const response = await fetch("v1/briefs", { method: "POST", headers: headers(), body: JSON.stringify(body) });
  if (!response.ok) throw new Error(await failure(response));
  const frame = $("brief-frame");
  frame.srcdoc = await response.text();  // the renderer escapes every field; the frame runs no scripts
  frame.hidden = false;
}

// ---- wiring ------------------------------------------------------------------------------------
async function busy(button, label, work) {
  if (state.busy) return;
  state.busy = true;
  button.disabled = true;
  showError("");
  setStatus(label);
  try {
    await work();
    setStatus("");
  } catch (error) {
    setStatus("");
    showError(error.message || String(error));
  } finally {
    state.busy = false;
    button.disabled = false;
  }
}

function selectTab(tab) {
  for (const other of document.querySelectorAll('[role="tab"]')) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  tab.focus();
}

async function loadOutlets() {
  try {
    const response = await fetch("v1/outlets", { headers: headers() });
    if (!response.ok) return;
    const list = $("outlets");
    list.replaceChildren(...(await response.json()).outlets.map((name) => { const o = el("option"); o.value = name; return o; }));
  } catch (_) { /* the field still takes any name */ }
}

function wire() {
  const key = $("api-key");
  key.value = sessionStorage.getItem("assistant-key") || "";
  key.addEventListener("change", () => { sessionStorage.setItem("assistant-key", key.value); loadOutlets(); });
  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = $("question").value.trim();
    if (!question) return;
    busy($("ask-button"), "Searching and checking sources…", async () => {
      await ask(question);
      $("question").value = "";
    });
  });
  $("brief-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const topic = $("topic").value.trim();
    if (topic) busy($("brief-button"), "Writing the briefing note…", () => brief(topic));
  });
  $("new-conversation").addEventListener("click", () => {
    state.messages = [];
    $("conversation").replaceChildren();
    $("article").hidden = true;
    $("question").focus();
  });
  $("article-close").addEventListener("click", () => { $("article").hidden = true; $("question").focus(); });
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) selectTab(tabs[(i + step + tabs.length) % tabs.length]);
    });
  });
  loadOutlets();
}

document.addEventListener("DOMContentLoaded", wire);
