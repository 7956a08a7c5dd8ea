/**
 * `report.md`: the same report as markdown (GitHub-flavoured tables), with the
 * charts as the PNG files under `figures/`, linked relatively.
 */
import { MISSING } from "./format.js";
import { galleryCaption } from "./analysis-charts.js";
import type { ReportDocument, ReportFigure } from "./report-document.js";
import { analysedRunText, perClassTable, referenceTable, summaryFacts, type PlainTable } from "./report-text.js";
import type { ResultsTable, TableRow } from "./results-table.js";

/** A table cell: pipes and newlines would break the row. */
function md(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function markdownTable({ headers, rows, numeric }: PlainTable): string {
  const align = numeric.map((n) => (n ? "---:" : "---"));
  return [`| ${headers.map(md).join(" | ")} |`, `| ${align.join(" | ")} |`, ...rows.map((r) => `| ${r.map(md).join(" | ")} |`)].join("\n");
}

function resultsTable(table: ResultsTable, rows: readonly TableRow[]): string {
  return markdownTable({
    headers: table.columns.map((c) => c.header),
    numeric: table.columns.map((c) => c.numeric),
    rows: rows.map((r) =>
      table.columns.map((c) => {
        const text = r.cells[c.key] ?? MISSING;
        // bold marks the best row, as the HTML's highlight does
        return r.best && text !== MISSING ? `**${text}**` : text;
      }),
    ),
  });
}

function figure(f: ReportFigure): string {
  return `![${f.chart.title}](${f.png})\n\n*${f.chart.caption}*`;
}

/** The whole markdown document. */
export function renderMarkdownReport(doc: ReportDocument): string {
  const { model, table } = doc;
  const out: string[] = [`# ${model.title}`, ""];
  if (model.description !== null) out.push(model.description, "");
  const { sweep, ranking, best } = summaryFacts(model);
  out.push(
    `${sweep === null ? "Single run" : `Sweep of ${sweep}`}, ${ranking}. ` +
      (best === null ? "No best trial yet." : `Best: **${best.trialId}**${best.figure === null ? "" : ` (${best.figure})`}.`) +
      ` Built ${doc.generatedAt}.`,
    "",
    "## Results",
    "",
    "One row per trial; ★ marks the best (bold). Trials with several runs show the mean over their runs; diverged and failed trials show where they stopped and their last finite figures.",
    "",
    resultsTable(table, table.rows),
    "",
  );
  if (table.finalRow !== null) {
    out.push("### Final model", "", "The best trial retrained on the whole training set and scored once on the test set.", "", resultsTable(table, [table.finalRow]), "");
  }
  if (model.reference !== null || model.discussion !== null) {
    out.push("## Reference", "");
    if (model.reference !== null) {
      out.push(`Published figures from **${model.reference.source}**, beside ours for the trial with the same parameters.`, "");
      out.push(markdownTable(referenceTable(doc.comparisons)), "");
    }
    if (doc.reference !== null) out.push(figure(doc.reference), "");
    if (model.discussion !== null) out.push("### Why ours differs", "", model.discussion, "");
  }
  if (doc.curves.length > 0) out.push("## Learning curves", "", ...doc.curves.flatMap((f) => [figure(f), ""]));
  if (doc.parameters.length > 0) out.push("## Test accuracy against the swept parameters", "", ...doc.parameters.flatMap((f) => [figure(f), ""]));
  out.push("## Best model", "");
  const a = doc.analysis;
  if ("unavailable" in a) {
    out.push(`No confusion matrix or gallery: ${a.unavailable}.`, "");
  } else {
    const scored = analysedRunText(a);
    out.push(`Run \`${scored.runDir}\` ${scored.text}`, "");
    if (doc.confusion !== null) out.push(figure(doc.confusion), "");
    if (doc.perClass !== null) out.push(figure(doc.perClass), "");
    out.push(
      markdownTable(perClassTable(a)),
      "",
      "### Most confidently wrong",
      "",
    );
    if (doc.gallery !== null) out.push(figure(doc.gallery), "");
    if (a.gallery.length > 0) {
      out.push(
        markdownTable({ headers: ["#", "image", "true → predicted, confidence"], numeric: [true, true, false], rows: a.gallery.map((g, i) => [String(i + 1), String(g.index), galleryCaption(a, g)]) }),
        "",
      );
    } else {
      out.push(`No ${a.split} image was misclassified.`, "");
    }
  }
  out.push(`---`, "", `Written by \`ringtrain report\`; rebuild with \`ringtrain report ${model.dir}\`.`, "");
  return out.join("\n");
}
