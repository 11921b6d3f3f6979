// Export: the brief as Markdown (for a note or a chat message) and as the API's JSON.

import { labelName, STANCES } from "./brief.js";

function quote(text) {
  return text.replace(/\s+/g, " ").trim();
}

export function toMarkdown(brief, title) {
  const lines = [`# ${brief.headline_en || title || "Brief"}`, ""];
  if (brief.primary_cause) lines.push(`Primary cause: **${labelName(brief.primary_cause)}**`, "");
  for (const bullet of brief.summary_en) lines.push(`- ${bullet}`);
  if (brief.key_figures.length) {
    lines.push("", "## Key figures", "");
    for (const f of brief.key_figures) {
      lines.push(`- **${f.value}**: ${f.what} (「${quote(f.evidence.zh)}」)`);
    }
  }
  if (brief.entities.length) {
    lines.push("", "## Entities", "");
    for (const e of brief.entities) {
      lines.push(`- ${e.name_en}${e.name_zh ? ` (${e.name_zh})` : ""}, ${e.type}`);
    }
  }
  if (brief.causes.length) {
    lines.push("", "## Cause claims", "");
    for (const c of brief.causes) {
      const stance = STANCES[c.stance] ? STANCES[c.stance].word : c.stance;
      const english = c.evidence_en ? ` “${c.evidence_en}”` : "";
      const claim = `${labelName(c.label)}, per ${c.claimant} (${c.moved} ${c.direction})`;
      lines.push(`- **${stance}**: ${claim}.${english}`);
      lines.push(`  > ${quote(c.evidence_zh)}`);
    }
  }
  if (brief.warnings.length) {
    lines.push("", "## Warnings", "");
    for (const w of brief.warnings) lines.push(`- ${w}`);
  }
  const p = brief.provenance;
  lines.push("", `_finbrief ${p.finbrief_version}, model ${p.model_id}, prompts ${p.prompt_version}_`);
  if (p.url) lines.push(`_Source: ${p.url}_`);
  return lines.join("\n") + "\n";
}

// The clipboard API needs a secure context (https, or this machine's own address); elsewhere (the
// service on a LAN address) the older copy command still works.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("this browser would not copy; select the text and copy it by hand");
}

export function downloadJson(brief, name) {
  const blob = new Blob([JSON.stringify(brief, null, 2) + "\n"], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}
