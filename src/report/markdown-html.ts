/**
 * The small markdown subset experiment discussions are written in, as HTML:
 * paragraphs, `- ` lists, `#` headings, `code`, **bold**, *emphasis* and
 * [links](url). Everything else is escaped text, so a discussion cannot
 * inject markup or scripts into the report.
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function inline(text: string): string {
  // code spans first, so their content is not read as emphasis or links
  return text
    .split(/(`[^`]+`)/)
    .map((part) => {
      if (part.startsWith("`") && part.endsWith("`") && part.length > 1) return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      return escapeHtml(part)
        .replace(/\[([^\]]+)\]\(((?:https?:\/\/|\.{0,2}\/|#)[^)\s]*)\)/g, (_, label: string, url: string) => `<a href="${url}">${label}</a>`)
        .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
        .replace(/(^|[^\w*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
        .replace(/(^|\W)_([^_\s][^_]*)_(?=\W|$)/g, "$1<em>$2</em>");
    })
    .join("");
}

/** Converts markdown text (the subset above) to HTML. */
export function markdownToHtml(markdown: string): string {
  const blocks = markdown.replace(/\r\n/g, "\n").split(/\n\s*\n/).map((b) => b.trim()).filter((b) => b !== "");
  return blocks
    .map((block) => {
      const lines = block.split("\n");
      if (lines.every((l) => /^\s*[-*] /.test(l))) return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*] /, ""))}</li>`).join("")}</ul>`;
      const heading = /^(#{1,6})\s+(.*)$/.exec(block);
      if (heading !== null && lines.length === 1) return `<h4>${inline(heading[2]!)}</h4>`;
      return `<p>${inline(lines.join(" "))}</p>`;
    })
    .join("\n");
}
