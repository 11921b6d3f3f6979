// The brief pane: headline, bullets, key figures, entities and cause claims, each item that rests
// on a span of the article a button that marks that span in the source pane (hover or keyboard
// focus: a look; click, Enter or Space: picked, and scrolled into view). Warnings and the checks
// that fired are shown in full: a reader decides whether to trust the brief from them.

import { h } from "./dom.js";

export const STANCES = {
  supported: { icon: "✓", word: "Supported", says: "gives this as a cause" },
  rejected: { icon: "✗", word: "Rejected", says: "denies this as a cause" },
};
const LABELS = {
  trade_policy: "Trade policy",
  ai_disruption: "AI disruption",
  monetary_policy: "Monetary policy",
  liquidity: "Liquidity",
  valuation: "Valuation",
  fiscal_policy: "Fiscal policy",
  macro_outlook: "Macro outlook",
  earnings: "Earnings",
  geopolitics: "Geopolitics",
  positioning: "Positioning",
  other: "Other",
};
const DIRECTIONS = { down: "↓ down", up: "↑ up", volatile: "↕ volatile" };

export function labelName(label) {
  return LABELS[label] || String(label).replaceAll("_", " ");
}

// Which spans of the source each kind of item rests on.
export const spansOf = {
  grounded: (item) => item.evidence.map((s) => ({ start: s.start, end: s.end })),
  figure: (figure) => [{ start: figure.evidence.start, end: figure.evidence.end }],
  claim: (claim) => [{ start: claim.evidence_start, end: claim.evidence_end }],
};

// Every span the brief points at: where the source pane is cut.
export function evidenceSpans(brief) {
  return [
    ...(brief.headline ? spansOf.grounded(brief.headline) : []),
    ...brief.summary.flatMap(spansOf.grounded),
    ...brief.key_figures.flatMap(spansOf.figure),
    ...brief.causes.flatMap(spansOf.claim),
  ];
}

// Hover and focus show an item's evidence; a click picks it (it stays marked until another is).
export class EvidenceLinks {
  constructor(source, announce) {
    this.source = source;
    this.announce = announce;
    this.picked = null;
  }

  bind(button, spans) {
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("mouseenter", () => this.look(spans));
    button.addEventListener("focus", () => this.look(spans));
    button.addEventListener("mouseleave", () => this.restore());
    button.addEventListener("blur", () => this.restore());
    button.addEventListener("click", () => this.pick(button, spans));
  }

  look(spans) {
    const first = this.source.mark("hl", spans);
    if (first) this.source.scrollPaneTo(first);
  }

  pick(button, spans) {
    if (this.picked) this.picked.button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-pressed", "true");
    this.picked = { button, spans };
    const first = this.source.mark("hl", spans);
    if (!first) {
      this.announce("This item's evidence is outside the text shown.");
      return;
    }
    this.source.reveal(first);
    const quoted = spans.map((s) => this.source.slice(s.start, s.end)).join(" … ");
    this.announce(`Evidence marked in the source: ${quoted}`);
  }

  restore() {
    this.source.mark("hl", this.picked ? this.picked.spans : []);
  }
}

function section(title, className, ...body) {
  return h("section", { class: `brief-section ${className}` }, h("h3", {}, title), ...body);
}

function evidenceButton(links, spans, className, ...children) {
  const button = h("button", { type: "button", class: `ev ${className}` }, ...children);
  links.bind(button, spans);
  return button;
}

function headline(brief, links) {
  if (!brief.headline) {
    const note = "No headline passed the faithfulness checks (see warnings).";
    return h("p", { class: "headline missing" }, note);
  }
  return h(
    "p",
    { class: "headline" },
    evidenceButton(links, spansOf.grounded(brief.headline), "headline-ev", brief.headline.text),
  );
}

function bullets(brief, links) {
  if (!brief.summary.length) return h("p", { class: "none" }, "No bullet passed the faithfulness checks.");
  return h(
    "ul",
    { class: "bullets" },
    brief.summary.map((bullet) =>
      h("li", {}, evidenceButton(links, spansOf.grounded(bullet), "bullet", bullet.text)),
    ),
  );
}

function figures(brief, links) {
  if (!brief.key_figures.length) return h("p", { class: "none" }, "None.");
  return h(
    "ul",
    { class: "figures" },
    brief.key_figures.map((f) =>
      h(
        "li",
        {},
        evidenceButton(
          links,
          spansOf.figure(f),
          "figure",
          h("span", { class: "value" }, f.value),
          h("span", { class: "what" }, f.what),
          h("span", { class: "zh", lang: "zh" }, f.evidence.zh),
        ),
      ),
    ),
  );
}

function entities(brief) {
  if (!brief.entities.length) return h("p", { class: "none" }, "None.");
  return h(
    "ul",
    { class: "entities" },
    brief.entities.map((e) =>
      h(
        "li",
        {},
        h("span", { class: "name" }, e.name_en),
        e.name_zh ? h("span", { class: "zh", lang: "zh" }, e.name_zh) : null,
        h("span", { class: "tag" }, e.type),
        h("span", { class: "tag quiet", title: "Where the English name comes from" }, e.source),
      ),
    ),
  );
}

function claim(c, brief, links) {
  const stance = STANCES[c.stance] || { icon: "?", word: c.stance, says: "" };
  const primary = c.stance === "supported" && c.label === brief.primary_cause;
  const who = c.claimant === "author" ? "The author" : c.claimant;
  const direction = DIRECTIONS[c.direction] || c.direction;
  const english = c.evidence_en
    ? h("span", { class: "en" }, `“${c.evidence_en}”`)
    : h("span", { class: "en withheld" }, "English withheld: it failed its checks (see warnings).");
  return evidenceButton(
    links,
    spansOf.claim(c),
    `claim stance-${c.stance}`,
    h(
      "span",
      { class: "claim-head" },
      h(
        "span",
        { class: `stance ${c.stance}` },
        h("span", { "aria-hidden": "true" }, stance.icon),
        ` ${stance.word}`,
      ),
      h("span", { class: "label" }, labelName(c.label)),
      primary ? h("span", { class: "tag primary" }, "Primary cause") : null,
    ),
    h("span", { class: "who" }, `${who} ${stance.says}: ${c.moved} ${direction}`),
    c.note ? h("span", { class: "note" }, c.note) : null,
    english,
    h("span", { class: "zh", lang: "zh" }, c.evidence_zh),
    h("span", { class: "confidence" }, `confidence ${Math.round(c.confidence * 100)}%`),
  );
}

function claims(brief, links) {
  if (!brief.causes.length) return h("p", { class: "none" }, "No cause claim passed the checks.");
  return h(
    "ol",
    { class: "claims" },
    brief.causes.map((c) => h("li", {}, claim(c, brief, links))),
  );
}

function warnings(brief) {
  if (!brief.warnings.length) return h("p", { class: "none" }, "None.");
  return h("ul", { class: "warnings-list" }, brief.warnings.map((w) => h("li", {}, w)));
}

function checks(brief) {
  const fired = Object.entries(brief.provenance.checks || {}).filter(([, n]) => n > 0);
  if (!fired.length) return h("p", { class: "none" }, "None fired.");
  fired.sort((a, b) => b[1] - a[1]);
  const items = fired.map(([name, n]) => h("li", {}, h("code", {}, name), ` × ${n}`));
  return h("ul", { class: "checks-list" }, items);
}

function provenance(brief) {
  const p = brief.provenance;
  const rows = [
    ["Model", `${p.model_id} (${p.backend})`],
    ["Prompts", p.prompt_version],
    ["finbrief", p.finbrief_version],
    ["Time", `${p.timings.total_s} s (model ${p.timings.model_s} s, queue ${p.timings.queue_s} s)`],
    ["Tokens", `${p.tokens.prompt} in, ${p.tokens.completion} out, ${p.tokens.calls} calls`],
    ["Cache", p.cache || "—"],
    ["Source script", brief.source_script],
  ];
  if (p.url) rows.push(["Address", p.url]);
  return h(
    "details",
    { class: "provenance" },
    h("summary", {}, "Provenance"),
    h("dl", {}, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
  );
}

export function renderBrief(container, brief, links) {
  const primary = brief.primary_cause
    ? h("p", { class: "primary-cause" }, "Primary cause: ", h("strong", {}, labelName(brief.primary_cause)))
    : null;
  container.replaceChildren(
    headline(brief, links),
    primary,
    section("Summary", "summary", bullets(brief, links)),
    section("Key figures", "figures-section", figures(brief, links)),
    section("Entities", "entities-section", entities(brief)),
    section("Cause claims", "claims-section", claims(brief, links)),
    section(`Warnings (${brief.warnings.length})`, "warnings", warnings(brief)),
    section("Checks that fired", "checks", checks(brief)),
    provenance(brief),
  );
}
