/**
 * Builds the report of a sweep or run directory from its saved results —
 * without training — and writes `report.html`, `report.md`, `figures/*.png`
 * and `analysis.json` into it.
 *
 * Steps: 1. read the directory (load-results); 2. pick the model to analyse
 * (the final run, else the best trial's first completed run with weights) and
 * score it once (analysis.json is reused while its weights are unchanged);
 * 3. build the table, comparisons and charts; 4. render each chart to SVG and
 * PNG; 5. write both documents.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../common/log.js";
import { confusionChart, galleryChart, perClassChart } from "./analysis-charts.js";
import type { ReportChart } from "./chart-spec.js";
import { learningCurveCharts } from "./curve-charts.js";
import { renderHtmlReport } from "./html-report.js";
import { loadReportModel, type ReportModel, type ReportRun } from "./load-results.js";
import { renderMarkdownReport } from "./markdown-report.js";
import { referenceComparisons } from "./reference.js";
import { renderChart } from "./render-chart.js";
import type { ReportDocument, ReportFigure } from "./report-document.js";
import { buildResultsTable } from "./results-table.js";
import { analyseRun, type RunAnalysis } from "./run-analysis.js";
import { parameterCharts, referenceChart } from "./sweep-charts.js";
import { runStatus } from "./trial-figures.js";

/** What writeReport wrote: absolute paths. */
export interface WrittenReport {
  html: string;
  markdown: string;
  /** the PNG files, in report order */
  figures: string[];
}

/** The run whose predictions the report examines, or why there is none. */
function runToAnalyse(model: ReportModel): { run: ReportRun; label: string } | { none: string } {
  const usable = (r: ReportRun | null | undefined): r is ReportRun => r !== null && r !== undefined && r.result !== null && r.result.hasWeights && runStatus(r) === "completed";
  if (usable(model.final)) return { run: model.final, label: model.final.result!.runId };
  const best = model.trials.find((t) => t.isBest);
  if (best === undefined) return { none: "the sweep has no best trial yet (no trial finished)" };
  const run = best.runs.find(usable);
  if (run === undefined) return { none: `no run of the best trial ${best.trialId} completed with weights` };
  return { run, label: run.result!.runId };
}

async function renderFigure(chart: ReportChart, figuresDir: string, written: string[]): Promise<ReportFigure> {
  const { svg, png } = await renderChart(chart);
  const path = join(figuresDir, `${chart.name}.png`);
  await writeFile(path, png);
  written.push(path);
  return { chart, svg, png: `figures/${chart.name}.png` };
}

/**
 * Writes the report of the sweep or run directory `dir` into it (see the file
 * comment). Safe to call again: it rebuilds from what is on disk.
 *
 * @throws RingtrainError USAGE when `dir` is neither a sweep nor a run
 *   directory; DATA_INVALID for result files that cannot be parsed.
 */
export async function writeReport(dir: string, options: { logger?: Logger } = {}): Promise<WrittenReport> {
  const started = performance.now();
  const model = await loadReportModel(dir);
  const target = runToAnalyse(model);
  let analysis: RunAnalysis | null = null;
  let analysisNote: string | null = null;
  if ("none" in target) {
    analysisNote = target.none;
  } else {
    const result = await analyseRun(model.dir, target.run.result!.dir, target.label, options.logger);
    if ("unavailable" in result) analysisNote = result.unavailable;
    else analysis = result;
  }

  const figuresDir = join(model.dir, "figures");
  await mkdir(figuresDir, { recursive: true });
  const figures: string[] = [];
  const render = (chart: ReportChart): Promise<ReportFigure> => renderFigure(chart, figuresDir, figures);
  const renderOptional = async (chart: ReportChart | null): Promise<ReportFigure | null> => (chart === null ? null : render(chart));

  const curves: ReportFigure[] = [];
  for (const chart of learningCurveCharts(model)) curves.push(await render(chart));
  const parameters: ReportFigure[] = [];
  for (const chart of parameterCharts(model)) parameters.push(await render(chart));
  const doc: ReportDocument = {
    model,
    table: buildResultsTable(model),
    comparisons: referenceComparisons(model),
    curves,
    parameters,
    reference: await renderOptional(referenceChart(model)),
    analysis,
    analysisNote,
    confusion: await renderOptional(analysis === null ? null : confusionChart(analysis)),
    perClass: await renderOptional(analysis === null ? null : perClassChart(analysis)),
    gallery: await renderOptional(analysis === null ? null : galleryChart(analysis)),
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
  const html = join(model.dir, "report.html");
  const markdown = join(model.dir, "report.md");
  await writeFile(html, renderHtmlReport(doc));
  await writeFile(markdown, renderMarkdownReport(doc));
  options.logger?.info(
    { html, markdown, figures: figures.length, ms: Math.round(performance.now() - started) },
    `report: wrote ${html}, ${markdown} and ${figures.length} figures`,
  );
  return { html, markdown, figures };
}
