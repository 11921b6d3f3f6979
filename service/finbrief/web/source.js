// The source pane: the article exactly as received, cut into pieces at every offset the API
// names, so that any span it names is a run of whole pieces and a highlight is just a class on
// them. Offsets are the API's and are never re-searched in the text. The API counts code points
// (Python strings) while JavaScript strings count UTF-16 units, which differ from the first
// character outside the Basic Multilingual Plane (an emoji, a rare Han character such as 𠮷):
// so the text is held as an array of code points (Array.from) and sliced by those.

const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export class Source {
  constructor(container, text) {
    this.container = container;
    this.chars = Array.from(text);
    this.pieces = [];
  }

  get length() {
    return this.chars.length;
  }

  slice(start, end) {
    return this.chars.slice(start, end).join("");
  }

  // Lays the text out again, cut at every start and end of `spans` (objects with start, end),
  // page furniture (`skipped`) greyed; `decorate(piece)` may mark a piece up further.
  render(spans, skipped, decorate = () => {}) {
    const cuts = new Set([0, this.length]);
    for (const span of [...spans, ...skipped]) {
      if (this.valid(span)) {
        cuts.add(span.start);
        cuts.add(span.end);
      }
    }
    const offsets = [...cuts].sort((a, b) => a - b);
    const fragment = document.createDocumentFragment();
    this.pieces = [];
    for (let i = 0; i + 1 < offsets.length; i++) {
      const piece = { start: offsets[i], end: offsets[i + 1], el: document.createElement("span") };
      piece.el.textContent = this.slice(piece.start, piece.end);
      if (skipped.some((s) => s.start <= piece.start && piece.end <= s.end)) {
        piece.el.classList.add("skipped");
        piece.el.title = "Page furniture: left out of the brief";
      }
      decorate(piece);
      this.pieces.push(piece);
      fragment.append(piece.el);
    }
    this.container.replaceChildren(fragment);
  }

  valid(span) {
    return Number.isInteger(span.start) && Number.isInteger(span.end) && 0 <= span.start &&
      span.start < span.end && span.end <= this.length;
  }

  piecesIn(spans) {
    return this.pieces.filter((p) => spans.some((s) => s.start <= p.start && p.end <= s.end));
  }

  // Marks the pieces of `spans` with `cls` (and only those); returns the first one marked.
  mark(cls, spans) {
    for (const el of this.container.querySelectorAll(`.${cls}`)) el.classList.remove(cls);
    const marked = this.piecesIn(spans.filter((s) => this.valid(s)));
    for (const piece of marked) piece.el.classList.add(cls);
    return marked.length ? marked[0].el : null;
  }

  // Scrolls the pane (only the pane: a pointer passing over a list must not move the page) so
  // that `el` sits in its middle.
  scrollPaneTo(el) {
    const pane = this.container.closest(".pane") || this.container;
    const paneBox = pane.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    const top = pane.scrollTop + (box.top - paneBox.top) - (pane.clientHeight - box.height) / 2;
    pane.scrollTo({ top: Math.max(0, top), behavior: reduceMotion.matches ? "auto" : "smooth" });
  }

  // As scrollPaneTo, then the page too if the pane itself is out of sight (phones: stacked panes).
  reveal(el) {
    this.scrollPaneTo(el);
    const pane = this.container.closest(".pane") || this.container;
    const box = pane.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      el.scrollIntoView({ block: "center", behavior: reduceMotion.matches ? "auto" : "smooth" });
    }
  }
}
