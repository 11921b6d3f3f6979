// The reading desk: asks for a brief (streamed: each pipeline step as the server starts it), shows
// it beside its source, and on request the full sentence-aligned translation. One request is in
// flight at a time; Cancel aborts it, and the server stops the work when the connection closes.
// Every address is relative to the page, so the desk works behind a proxy that serves the app
// under a path prefix too.

import { describeError, getJson, streamEvents } from "./api.js";
import { EvidenceLinks, evidenceSpans, renderBrief } from "./brief.js";
import { h, show } from "./dom.js";
import { copyText, downloadJson, toMarkdown } from "./export.js";
import { Source } from "./source.js";
import { Translation } from "./translation.js";

const $ = (id) => document.getElementById(id);
const STEP_NAMES = {
  normalize: "Reading the text",
  claims: "Finding cause claims",
  figures: "Describing key figures",
  summary: "Drafting the headline and bullets",
  checks: "Checking faithfulness",
  evidence: "Translating the evidence",
};

const state = {
  work: null, // the AbortController of the request in flight
  started: 0,
  clock: null,
  brief: null,
  title: "",
  sourceText: "",
  source: null,
  links: null,
  translation: null,
  mode: "brief",
};

// --- the request in flight --------------------------------------------------------------------
function begin() {
  if (state.work) state.work.abort(); // a new request replaces the one in flight
  const work = new AbortController();
  state.work = work;
  state.started = performance.now();
  $("cancel").disabled = false;
  clearInterval(state.clock);
  state.clock = setInterval(tick, 200);
  tick();
  return work;
}

function end(work) {
  if (state.work !== work) return;
  state.work = null;
  $("cancel").disabled = true;
  clearInterval(state.clock);
  $("clock").textContent = "";
}

function tick() {
  $("clock").textContent = `${((performance.now() - state.started) / 1000).toFixed(1)} s`;
}

function seconds() {
  return ((performance.now() - state.started) / 1000).toFixed(2);
}

// --- progress ---------------------------------------------------------------------------------
function progressStatus(text) {
  $("progress-status").textContent = text;
}

function settleLastStep(outcome, word) {
  const last = $("steps").querySelector(".step.current");
  if (!last) return;
  last.classList.replace("current", outcome);
  last.querySelector(".step-state").textContent = ` · ${word}`;
}

function addStep(event) {
  const steps = $("steps");
  settleLastStep("done", "✓ done");
  if (!steps.dataset.firstStepMs) {
    steps.dataset.firstStepMs = String(Math.round(performance.now() - state.started));
  }
  const name = STEP_NAMES[event.step] || event.step;
  const part = event.parts > 1 ? ` (part ${event.part} of ${event.parts})` : "";
  steps.append(
    h(
      "li",
      { class: "step current", dataset: { step: event.step } },
      h("span", { class: "step-name" }, name + part),
      h("span", { class: "step-time" }, ` at ${event.elapsed_s.toFixed(2)} s`),
      h("span", { class: "step-state" }, " · working…"),
    ),
  );
  progressStatus(`${name}${part}…`);
}

function finishProgress(brief) {
  settleLastStep("done", "✓ done");
  const cached = brief.provenance.cache === "hit";
  const text = cached ? `Answered from the cache in ${seconds()} s` : `Brief ready in ${seconds()} s`;
  $("steps").append(h("li", { class: "step final done" }, h("span", { class: "step-name" }, text)));
  progressStatus(text + ".");
}

// --- errors -----------------------------------------------------------------------------------
function showError(error) {
  const { title, lines } = describeError(error);
  $("error").replaceChildren(h("strong", {}, title), ...lines.map((line) => h("p", {}, line)));
  show($("error"), true);
  if (error.status === 401) {
    show($("key-field"), true);
    $("key").focus();
  }
}

function clearError() {
  show($("error"), false);
  $("error").replaceChildren();
}

function announce(text) {
  $("sr-status").textContent = text;
}

// --- the brief --------------------------------------------------------------------------------
function request() {
  const text = $("text").value;
  const url = $("url").value.trim();
  const title = $("title").value.trim();
  const body = {};
  if (text.trim() || !url) body.text = text; // given text wins over the address, as in the API
  if (url) body.url = url;
  if (title) body.title = title;
  return { body, text, title };
}

async function askForBrief(event) {
  event.preventDefault();
  const { body, text, title } = request();
  const work = begin();
  clearError();
  show($("result"), false);
  $("steps").replaceChildren();
  delete $("steps").dataset.firstStepMs;
  show($("progress"), true);
  progressStatus("Waiting for the server…");
  try {
    let brief = null;
    const key = $("key").value.trim();
    const events = streamEvents("v1/brief?stream=true", body, { key, signal: work.signal });
    for await (const e of events) {
      if (e.type === "step") addStep(e);
      if (e.type === "brief") {
        const { type, ...rest } = e;
        brief = rest;
      }
    }
    if (!brief) throw new Error("the server closed the stream before the brief was ready");
    finishProgress(brief);
    showBrief(brief, brief.source_text ?? text, title);
  } catch (error) {
    if (work.signal.aborted) {
      settleLastStep("cancelled", "cancelled");
      progressStatus(`Cancelled after ${seconds()} s: the server stopped the work.`);
    } else {
      settleLastStep("failed", "✗ failed");
      progressStatus("Failed.");
      showError(error);
    }
  } finally {
    end(work);
  }
}

function showBrief(brief, sourceText, title) {
  if (state.translation) state.translation.dispose();
  Object.assign(state, { brief, title, sourceText, translation: null });
  state.source = new Source($("source"), sourceText);
  $("source").lang = brief.source_script === "zh-Hant" ? "zh-Hant" : "zh-Hans";
  $("source-heading").textContent = title;
  show($("source-heading"), Boolean(title));
  state.links = new EvidenceLinks(state.source, announce);
  renderBrief($("brief"), brief, state.links);
  $("translation").replaceChildren();
  $("translation-status").textContent = "";
  $("toolbar-status").textContent = "";
  setMode("brief");
  show($("result"), true);
  $("result").focus(); // keyboard and screen-reader users land on the brief
}

// --- brief or full translation ----------------------------------------------------------------
function renderSource() {
  const { brief, translation, source } = state;
  if (state.mode === "translation" && translation) {
    const skipped = translation.done ? translation.done.skipped : brief.skipped || [];
    source.render(translation.segments, skipped, (piece) => translation.decorate(piece));
  } else {
    source.render(evidenceSpans(brief), brief.skipped || []);
    state.links.restore();
  }
}

function setMode(mode) {
  state.mode = mode;
  $("mode-brief").setAttribute("aria-pressed", String(mode === "brief"));
  $("mode-translation").setAttribute("aria-pressed", String(mode === "translation"));
  show($("brief-pane"), mode === "brief");
  show($("legend-brief"), mode === "brief");
  show($("translation-pane"), mode === "translation");
  show($("legend-translation"), mode === "translation");
  renderSource();
  if (mode === "translation" && !state.translation) translate();
}

async function translate() {
  const translation = new Translation({
    container: $("translation"),
    status: $("translation-status"),
    source: state.source,
  });
  state.translation = translation;
  const work = begin();
  let queued = false;
  const rerender = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      if (state.translation === translation && state.mode === "translation") renderSource();
    });
  };
  try {
    const key = $("key").value.trim();
    await translation.load(state.sourceText, { key, signal: work.signal, onSegment: rerender });
    if (state.translation === translation && state.mode === "translation") renderSource();
  } catch (error) {
    if (state.translation === translation) {
      // Not kept: showing the translation again asks again.
      translation.dispose();
      state.translation = null;
      if (state.mode === "translation") renderSource();
    }
    if (work.signal.aborted) {
      translation.status.textContent = "Translation cancelled.";
    } else {
      translation.status.textContent = "The translation failed.";
      showError(error);
    }
  } finally {
    end(work);
  }
}

// --- export -----------------------------------------------------------------------------------
async function copyMarkdown() {
  try {
    await copyText(toMarkdown(state.brief, state.title));
    $("toolbar-status").textContent = "Copied as Markdown.";
  } catch (error) {
    $("toolbar-status").textContent = `Not copied: ${error.message}`;
  }
}

function saveJson() {
  downloadJson(state.brief, "finbrief-brief.json");
  $("toolbar-status").textContent = "Downloaded finbrief-brief.json.";
}

// --- start ------------------------------------------------------------------------------------
function start() {
  $("ask").addEventListener("submit", askForBrief);
  $("cancel").addEventListener("click", () => state.work && state.work.abort());
  $("mode-brief").addEventListener("click", () => setMode("brief"));
  $("mode-translation").addEventListener("click", () => setMode("translation"));
  $("copy-md").addEventListener("click", copyMarkdown);
  $("download-json").addEventListener("click", saveJson);
  // Whether this server asks for a key: the field is shown only then (and after any 401).
  getJson("page/config.json")
    .then((config) => show($("key-field"), Boolean(config.keys_required)))
    .catch(() => show($("key-field"), true));
  document.body.dataset.ready = "true"; // for the browser tests: the handlers are in place
}

start();
