/**
 * A report chart: a vega-lite spec with the look every report chart shares
 * (DejaVu Sans, which resvg finds among the system fonts; white background),
 * made by {@link reportChart}.
 */
import type { Config, TopLevelSpec } from "vega-lite";

export interface ReportChart {
  /** file stem of its PNG under figures/, and the id of its section */
  name: string;
  title: string;
  /** one sentence under the chart: what it shows */
  caption: string;
  spec: TopLevelSpec;
}

/** The font of every chart: installed on Debian with fonts-dejavu-core (resvg's dependency for text). */
export const CHART_FONT = "DejaVu Sans";

export const CHART_WIDTH = 520;
export const CHART_HEIGHT = 260;

/** The shared vega-lite config of report charts. */
const CHART_CONFIG = {
  font: CHART_FONT,
  background: "white",
  padding: 8,
  view: { stroke: "#dddddd" },
  // label limits off: without a canvas, vega estimates text widths generously and would cut labels short
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#eeeeee", labelLimit: 0 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 0 },
  title: { fontSize: 14, anchor: "start" as const },
} as const;

/** A colour scheme with enough distinct hues for `n` series. */
export function seriesScheme(n: number): "tableau10" | "category20" {
  return n <= 10 ? "tableau10" : "category20";
}

/** Omit over each member of a union (TopLevelSpec is one: unit, layer, facet, ... specs). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A vega-lite spec without what {@link reportChart} adds. */
export type ChartBody = DistributiveOmit<TopLevelSpec, "$schema" | "config" | "title">;

/**
 * A report chart: `spec` with the vega-lite schema, the shared config (plus
 * `config`, where a chart needs more) and a title (`chartTitle`, else `title`).
 */
export function reportChart(chart: { name: string; title: string; caption: string; chartTitle?: string; config?: Config; spec: ChartBody }): ReportChart {
  const { name, title, caption, chartTitle, config, spec } = chart;
  return {
    name,
    title,
    caption,
    spec: { $schema: "https://vega.github.io/schema/vega-lite/v6.json", config: { ...CHART_CONFIG, ...config }, title: chartTitle ?? title, ...spec },
  };
}
