/**
 * `report.md`: the same report as markdown (GitHub-flavoured tables), with the
 * charts as the PNG files under `figures/`, linked relatively.
 */
import { formatMetric, formatParams, formatPercent, metricLabel, MISSING } from "./format.js";
import { galleryCaption } from "./analysis-charts.js";
import type { ReportDocument, ReportFigure } from "./report-document.js";
import type { ResultsTable, TableRow } from "./results-table.js";

/** A table cell: pipes and newlines would break the row. */
function md(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const align = numeric.map((n) => (n ? "---:" : "---"));
  return [`| ${headers.map(md).join(" | ")} |`, `| ${align.join(" | ")} |`, ...rows.map((r) => `| ${r.map(md).join(" | ")} |`)].join("\n");
}

function resultsTable(table: ResultsTable, rows: readonly TableRow[]): string {
  return markdownTable(
    table.columns.map((c) => c.header),
    rows.map((r) => table.columns.map((c) => {
      const text = r.cells[c.key] ?? MISSING;
      // bold marks the best row, as the HTML's highlight does
      return r.best && text !== MISSING ? `**${text}**` : text;
    })),
    table.columns.map((c) => c.numeric),
  );
}

function figure(f: ReportFigure): string {
  return `![${f.chart.title}](${f.png})\n\n*${f.chart.caption}*`;
}

/** The whole markdown document. */
export function renderMarkdownReport(doc: ReportDocument): string {
  const { model, table } = doc;
  const out: string[] = [`# ${model.title}`, ""];
  if (model.description !== null) out.push(model.description, "");
  const best = model.trials.find((t) => t.isBest);
  out.push(
    `${model.kind === "sweep" ? `Sweep of ${model.trials.length} trials${model.sweepStatus === null ? "" : ` (${model.sweepStatus})`}` : "Single run"}, ` +
      `ranked by ${metricLabel(model.metric)} (${model.higherIsBetter ? "higher" : "lower"} is better). ` +
      (best === undefined ? "No best trial yet." : `Best: **${best.trialId}**${best.metric === null ? "" : ` (${formatMetric(best.metric.name, best.metric.mean)})`}.`) +
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
      out.push(
        markdownTable(
          ["parameters", "figure", "reference", "our trial", "ours", "ours − reference", "note"],
          doc.comparisons.map((c) => [
            formatParams(c.params),
            metricLabel(c.metric),
            formatMetric(c.metric, c.reference),
            c.trialId ?? "no matching trial",
            formatMetric(c.metric, c.ours),
            c.ours === null ? MISSING : formatMetric(c.metric, c.ours - c.reference).replace(/^(?=\d)/, "+"),
            c.note ?? "",
          ]),
          [false, false, true, false, true, true, false],
        ),
        "",
      );
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
    out.push(`Run \`${a.runDir === "" ? "." : a.runDir}\` scored on its ${a.split} split: ${a.samples} images, accuracy ${formatPercent(a.accuracy)}.`, "");
    if (doc.confusion !== null) out.push(figure(doc.confusion), "");
    if (doc.perClass !== null) out.push(figure(doc.perClass), "");
    out.push(
      markdownTable(
        ["class", "name", "images", "correct", "accuracy"],
        a.perClass.map((c) => [String(c.label), c.name, String(c.count), String(c.correct), formatPercent(c.accuracy)]),
        [true, false, true, true, true],
      ),
      "",
      "### Most confidently wrong",
      "",
    );
    if (doc.gallery !== null) out.push(figure(doc.gallery), "");
    if (a.gallery.length > 0) {
      out.push(markdownTable(["#", "image", "true → predicted, confidence"], a.gallery.map((g, i) => [String(i + 1), String(g.index), galleryCaption(a, g)]), [true, true, false]), "");
    } else {
      out.push(`No ${a.split} image was misclassified.`, "");
    }
  }
  out.push(`---`, "", `Written by \`ringtrain report\`; rebuild with \`ringtrain report ${model.dir}\`.`, "");
  return out.join("\n");
}
