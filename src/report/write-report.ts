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
import { join } from "node:path";
import { ensureDirectory } from "../core/ensure-directory.js";
import { writeFileAtomic } from "../core/file-writes.js";
import type { Logger } from "../core/log.js";
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
import { analyseRun, type AnalysisUnavailable, type WeightedRun } from "./run-analysis.js";
import { parameterCharts, referenceChart } from "./sweep-charts.js";
import { runStatus } from "./trial-figures.js";

/** What writeReport wrote: absolute paths. */
export interface WrittenReport {
  html: string;
  markdown: string;
  /** the PNG files, in report order */
  figures: string[];
}

/** The completed run with weights of `run`, or null. */
function weightedRun(run: ReportRun | null): WeightedRun | null {
  if (run === null || run.result === null || run.result.weightsMtimeMs === null || runStatus(run) !== "completed") return null;
  return { dir: run.result.dir, runId: run.result.runId, weightsMtimeMs: run.result.weightsMtimeMs };
}

/** The run whose predictions the report examines, or why there is none. */
function runToAnalyse(model: ReportModel): WeightedRun | AnalysisUnavailable {
  const final = weightedRun(model.final);
  if (final !== null) return final;
  const best = model.trials.find((t) => t.isBest);
  if (best === undefined) return { unavailable: "the sweep has no best trial yet (no trial finished)" };
  const run = best.runs.map(weightedRun).find((r) => r !== null);
  return run ?? { unavailable: `no run of the best trial ${best.trialId} completed with weights` };
}

async function renderFigure(chart: ReportChart, figuresDir: string, written: string[]): Promise<ReportFigure> {
  const { svg, png } = await renderChart(chart);
  const path = join(figuresDir, `${chart.name}.png`);
  await writeFileAtomic(path, png, "the report figure");
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
  // a torn last line of a run's metrics.jsonl or steps.jsonl was left out: say so, naming the file and line
  for (const run of [...model.trials.flatMap((t) => t.runs), ...(model.final === null ? [] : [model.final])]) {
    for (const warning of run.result?.warnings ?? []) options.logger?.warn({ runDir: run.result?.dir }, `report: ${warning}`);
  }
  const target = runToAnalyse(model);
  const analysis = "unavailable" in target ? target : await analyseRun(model.dir, target, options.logger);
  const scored = "unavailable" in analysis ? null : analysis;
  const comparisons = referenceComparisons(model);

  const figuresDir = join(model.dir, "figures");
  await ensureDirectory(figuresDir, "the report's figures directory");
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
    comparisons,
    curves,
    parameters,
    reference: await renderOptional(referenceChart(model, comparisons)),
    analysis,
    confusion: await renderOptional(scored === null ? null : confusionChart(scored)),
    perClass: await renderOptional(scored === null ? null : perClassChart(scored)),
    gallery: await renderOptional(scored === null ? null : galleryChart(scored)),
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
  const html = join(model.dir, "report.html");
  const markdown = join(model.dir, "report.md");
  await writeFileAtomic(html, renderHtmlReport(doc), "the HTML report");
  await writeFileAtomic(markdown, renderMarkdownReport(doc), "the Markdown report");
  options.logger?.info(
    { html, markdown, figures: figures.length, ms: Math.round(performance.now() - started) },
    `report: wrote ${html}, ${markdown} and ${figures.length} figures`,
  );
  return { html, markdown, figures };
}
