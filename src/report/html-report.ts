/**
 * `report.html`: one self-contained page that opens offline — inline CSS,
 * charts as inline SVG, gallery images as data: URIs, no scripts, nothing
 * fetched.
 */
import { MISSING, reportLoss } from "./format.js";
import { galleryCaption, galleryImageUri } from "./analysis-charts.js";
import { escapeHtml, markdownToHtml } from "./markdown-html.js";
import { scopeSvgIds } from "./render-chart.js";
import type { ReportDocument, ReportFigure } from "./report-document.js";
import { analysedRunText, perClassTable, referenceTable, summaryFacts, type PlainTable } from "./report-text.js";
import type { ResultsTable, TableRow } from "./results-table.js";
import type { RunAnalysis } from "./run-analysis.js";

const CSS = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #202020; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.meta { color: #555; font-size: 0.9rem; } .meta span { margin-right: 1.4rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.82rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #f4f4f4; text-align: left; white-space: nowrap; }
td:first-child { white-space: nowrap; } td.status { min-width: 11rem; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.best td { background: #eaf4ea; font-weight: bold; }
tr.diverged td { background: #fdf0e6; } tr.failed td { background: #fbe9e9; } tr.pending td { color: #888; }
.status-diverged { color: #a04a00; } .status-failed { color: #a00000; }
figure { margin: 1.2rem 0; } figcaption { font-size: 0.85rem; color: #555; max-width: 760px; }
.chart svg { max-width: 100%; height: auto; }
.gallery { display: flex; flex-wrap: wrap; gap: 0.6rem; }
.gallery figure { margin: 0; width: 120px; text-align: center; }
.gallery img { width: 84px; height: 84px; image-rendering: pixelated; border: 1px solid #ccc; }
.gallery figcaption { font-size: 0.72rem; }
.discussion { max-width: 820px; } .note { color: #a04a00; }
`;

function cell(text: string, numeric: boolean): string {
  return `<td${numeric ? ' class="num"' : ""}>${escapeHtml(text)}</td>`;
}

function rowHtml(table: ResultsTable, row: TableRow): string {
  const classes = [row.best ? "best" : "", row.status === "completed" ? "" : row.status].filter((c) => c !== "").join(" ");
  const cells = table.columns.map((c) => {
    if (c.key === "status") return `<td class="status status-${row.status}">${escapeHtml(row.cells.status ?? MISSING)}</td>`;
    return cell(row.cells[c.key] ?? MISSING, c.numeric);
  });
  return `<tr data-trial="${escapeHtml(row.id)}"${classes === "" ? "" : ` class="${classes}"`}>${cells.join("")}</tr>`;
}

function tableHtml(table: ResultsTable, rows: readonly TableRow[], id: string): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join("");
  return `<div class="table-wrap"><table id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${rows.map((r) => rowHtml(table, r)).join("\n")}\n</tbody></table></div>`;
}

function plainTableHtml(table: PlainTable, id: string): string {
  const head = table.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const rows = table.rows.map((r) => `<tr>${r.map((text, i) => cell(text, table.numeric[i] ?? false)).join("")}</tr>`);
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>${rows.join("\n")}</tbody></table>`;
}

function figureHtml(f: ReportFigure): string {
  return (
    `<figure id="fig-${f.chart.name}" class="plot"><div class="chart">${scopeSvgIds(f.svg, f.chart.name)}</div>` +
    `<figcaption>${escapeHtml(f.chart.caption)} <a href="${escapeHtml(f.png)}">PNG</a></figcaption></figure>`
  );
}

function referenceHtml(doc: ReportDocument): string {
  const { model } = doc;
  if (model.reference === null && model.discussion === null) return "";
  const parts = [`<h2 id="reference">Reference</h2>`];
  if (model.reference !== null) {
    parts.push(`<p>Published figures from <strong>${escapeHtml(model.reference.source)}</strong>, beside ours for the trial with the same parameters.</p>`);
    parts.push(`<div class="table-wrap">${plainTableHtml(referenceTable(doc.comparisons), "reference-table")}</div>`);
  }
  if (doc.reference !== null) parts.push(figureHtml(doc.reference));
  if (model.discussion !== null) parts.push(`<h3>Why ours differs</h3><div class="discussion">${markdownToHtml(model.discussion)}</div>`);
  return parts.join("\n");
}

function galleryHtml(a: RunAnalysis): string {
  if (a.gallery.length === 0) return `<p>No ${a.split} image was misclassified.</p>`;
  const items = a.gallery.map((g, rank) => {
    const caption = galleryCaption(a, g);
    return `<figure><img src="${galleryImageUri(g)}" alt="${escapeHtml(`#${rank + 1}: ${caption}`)}" width="84" height="84"><figcaption>#${rank + 1} (image ${g.index})<br>${escapeHtml(caption)}</figcaption></figure>`;
  });
  return `<div class="gallery" id="gallery">${items.join("\n")}</div>`;
}

function analysisHtml(doc: ReportDocument): string {
  const parts = [`<h2 id="best-model">Best model</h2>`];
  const a = doc.analysis;
  if ("unavailable" in a) {
    parts.push(`<p class="note">No confusion matrix or gallery: ${escapeHtml(a.unavailable)}.</p>`);
    return parts.join("\n");
  }
  const scored = analysedRunText(a);
  parts.push(`<p>Run <code>${escapeHtml(scored.runDir)}</code> ${escapeHtml(scored.text)}</p>`);
  if (doc.confusion !== null) parts.push(figureHtml(doc.confusion));
  if (doc.perClass !== null) parts.push(figureHtml(doc.perClass));
  parts.push(`<h3>Per-class accuracy</h3>`, plainTableHtml(perClassTable(a), "per-class-table"));
  parts.push(`<h3>Most confidently wrong</h3>`, `<p>The misclassified ${escapeHtml(a.split)} images with the highest predicted probability: true class → prediction, confidence.</p>`, galleryHtml(a));
  return parts.join("\n");
}

function metaHtml(doc: ReportDocument): string {
  const { sweep, ranking, best } = summaryFacts(doc.model);
  const items = [
    sweep === null ? "single run" : `sweep, ${sweep}`,
    ranking,
    best === null ? "no best trial yet" : `best: ${best.trialId}${best.figure === null ? "" : ` (${best.figure})`}`,
    `built ${doc.generatedAt}`,
  ];
  return `<p class="meta">${items.map((i) => `<span>${escapeHtml(i)}</span>`).join("")}</p><p class="meta"><code>${escapeHtml(doc.model.dir)}</code></p>`;
}

/** The whole page. */
export function renderHtmlReport(doc: ReportDocument): string {
  const { model, table } = doc;
  const sections = [
    `<h1>${escapeHtml(model.title)}</h1>`,
    metaHtml(doc),
    model.description === null ? "" : `<div class="discussion">${markdownToHtml(model.description)}</div>`,
    `<h2 id="results">Results</h2>`,
    `<p>One row per trial; ★ marks the best. Trials with several runs (cross-validation folds, repeated seeds) show the mean over their runs. ` +
      `Diverged and failed trials show where they stopped and their last finite figures. Losses are mean cross-entropy; ${escapeHtml(reportLoss(Number.NaN))} marks a non-finite one.</p>`,
    tableHtml(table, table.rows, "results-table"),
    table.finalRow === null ? "" : `<h3 id="final">Final model</h3><p>The best trial retrained on the whole training set and scored once on the test set.</p>` + tableHtml(table, [table.finalRow], "final-table"),
    referenceHtml(doc),
    doc.curves.length === 0 ? "" : `<h2 id="curves">Learning curves</h2>` + doc.curves.map(figureHtml).join("\n"),
    doc.parameters.length === 0 ? "" : `<h2 id="parameters">Test accuracy against the swept parameters</h2>` + doc.parameters.map(figureHtml).join("\n"),
    analysisHtml(doc),
  ];
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(model.title)} — ringtrain report</title><style>${CSS}</style></head>`,
    `<body>`,
    ...sections.filter((s) => s !== ""),
    `<footer class="meta"><p>Written by <code>ringtrain report</code>; rebuild with <code>ringtrain report ${escapeHtml(model.dir)}</code>.</p></footer>`,
    `</body></html>`,
    "",
  ].join("\n");
}
