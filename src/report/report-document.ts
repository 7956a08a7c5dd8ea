/** Everything the HTML and markdown reports print, computed once by writeReport. */
import type { ReportChart } from "./chart-spec.js";
import type { ReportModel } from "./load-results.js";
import type { ReferenceComparison } from "./reference.js";
import type { ResultsTable } from "./results-table.js";
import type { AnalysisUnavailable, RunAnalysis } from "./run-analysis.js";

/** A rendered chart: its SVG for the HTML page, its PNG under figures/ for the markdown. */
export interface ReportFigure {
  chart: ReportChart;
  svg: string;
  /** relative to the report directory, `figures/<name>.png` */
  png: string;
}

export interface ReportDocument {
  model: ReportModel;
  table: ResultsTable;
  comparisons: ReferenceComparison[];
  curves: ReportFigure[];
  parameters: ReportFigure[];
  reference: ReportFigure | null;
  /** the model analysed for the confusion matrix and gallery, or why it could not be */
  analysis: RunAnalysis | AnalysisUnavailable;
  confusion: ReportFigure | null;
  perClass: ReportFigure | null;
  gallery: ReportFigure | null;
  /** ISO time the report was built */
  generatedAt: string;
}
