// The full translation: the source pane cut into the sentences /v1/translate aligned, and their
// English beside it, paragraph by paragraph. Pointing at a sentence on either side (hover or
// keyboard focus) marks it and its counterpart, and scrolls the other pane to it. Segments arrive
// streamed, so the reader sees the first sentences while the rest are translated.

import { streamEvents } from "./api.js";
import { h } from "./dom.js";

export class Translation {
  constructor({ container, status, source }) {
    this.container = container;
    this.status = status;
    this.source = source; // the Source the page shows; re-rendered by the page in this mode
    this.segments = [];
    this.english = []; // the English element of each segment
    this.paragraphs = new Map();
    this.done = null;
    this.container.replaceChildren();
    // Both containers outlive this translation (a new brief makes a new one): `dispose` unhooks.
    this.listening = new AbortController();
    const options = { signal: this.listening.signal };
    this.container.addEventListener("mouseover", (e) => this.fromEnglish(e), options);
    this.container.addEventListener("focusin", (e) => this.fromEnglish(e), options);
    this.source.container.addEventListener("mouseover", (e) => this.fromSource(e), options);
    this.source.container.addEventListener("focusin", (e) => this.fromSource(e), options);
  }

  dispose() {
    this.listening.abort();
  }

  // Streams the translation of `text`; `onSegment` is told after each segment arrives.
  async load(text, { key, signal, onSegment }) {
    this.status.textContent = "Translating…";
    const body = { text, skip_boilerplate: true };
    const events = streamEvents("v1/translate?stream=true", body, { key, signal });
    for await (const event of events) {
      if (event.type === "segment") {
        this.add(event);
        this.status.textContent = `Translating… ${this.segments.length} sentences so far`;
        onSegment();
      } else if (event.type === "done") {
        this.done = event;
      }
    }
    if (!this.done) throw new Error("the server closed the translation before it was done");
    const flagged = this.segments.filter((s) => s.warnings.length).length;
    this.status.textContent = `${this.segments.length} sentences` +
      (flagged ? `, ${flagged} still failing a check (marked ⚠)` : "") +
      (this.done.warnings.length ? `. ${this.done.warnings.join("; ")}` : "");
  }

  add(segment) {
    const i = this.segments.length;
    this.segments.push(segment);
    let paragraph = this.paragraphs.get(segment.paragraph);
    if (!paragraph) {
      paragraph = h("p", { class: "en-paragraph" });
      this.paragraphs.set(segment.paragraph, paragraph);
      this.container.append(paragraph);
    }
    const flagged = segment.warnings.length > 0;
    const span = h(
      "span",
      {
        class: flagged ? "en-seg flagged" : "en-seg",
        tabindex: "0",
        dataset: { seg: i },
        title: flagged ? `Still fails: ${segment.warnings.join("; ")}` : null,
      },
      flagged ? h("span", { class: "flag", "aria-label": "still failing a check" }, "⚠ ") : null,
      segment.en || "[no English passed its checks]",
    );
    this.english.push(span);
    paragraph.append(span, " ");
  }

  // The sentence each piece of the source belongs to: for the page's Source.render.
  decorate(piece) {
    const i = this.segments.findIndex((s) => s.start <= piece.start && piece.end <= s.end);
    if (i < 0) return;
    piece.el.classList.add("zh-seg");
    piece.el.dataset.seg = i;
    piece.el.tabIndex = 0;
  }

  fromEnglish(event) {
    const target = event.target.closest("[data-seg]");
    if (target) this.pair(Number(target.dataset.seg), "source");
  }

  fromSource(event) {
    const target = event.target.closest("[data-seg]");
    if (target) this.pair(Number(target.dataset.seg), "english");
  }

  // Marks sentence i on both sides and brings the other side's into view.
  pair(i, scroll) {
    const segment = this.segments[i];
    if (!segment) return;
    const zh = this.source.mark("pair", [segment]);
    for (const el of this.container.querySelectorAll(".pair")) el.classList.remove("pair");
    this.english[i].classList.add("pair");
    if (scroll === "source" && zh) this.source.scrollPaneTo(zh);
    if (scroll === "english") this.scrollEnglishTo(this.english[i]);
  }

  scrollEnglishTo(el) {
    const pane = this.container.closest(".pane");
    const paneBox = pane.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    if (box.top >= paneBox.top && box.bottom <= paneBox.bottom) return;
    pane.scrollTo({ top: pane.scrollTop + (box.top - paneBox.top) - pane.clientHeight / 3 });
  }
}
