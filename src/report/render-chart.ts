/**
 * Renders a vega-lite chart without a browser: vega-lite compiles the spec to
 * vega, a headless vega View (renderer "none") writes SVG, and resvg rasterises
 * that SVG to PNG with the system fonts (DejaVu Sans).
 */
import { Resvg } from "@resvg/resvg-js";
import { errorMessage, RingtrainError } from "../core/errors.js";
import { CHART_FONT, type ReportChart } from "./chart-spec.js";

export interface RenderedChart {
  svg: string;
  png: Buffer;
}

/**
 * vega and vega-lite, loaded on first use: every ringtrain process (workers
 * included) imports the CLI's command modules, and these two take ~0.4 s to load.
 */
let plotting: Promise<[typeof import("vega"), typeof import("vega-lite")]> | undefined;
function loadPlotting(): Promise<[typeof import("vega"), typeof import("vega-lite")]> {
  plotting ??= Promise.all([import("vega"), import("vega-lite")]);
  return plotting;
}

/** PNG pixels per SVG pixel: sharp on high-density screens and in documents. */
const PNG_ZOOM = 2;

/**
 * The chart as SVG text and PNG bytes. CPU-bound: tens of milliseconds for a
 * line chart, more for charts carrying images.
 *
 * @throws RingtrainError INTERNAL when vega rejects the spec (a report bug).
 */
export async function renderChart(chart: ReportChart): Promise<RenderedChart> {
  const [vega, vegaLite] = await loadPlotting();
  let svg: string;
  try {
    const view = new vega.View(vega.parse(vegaLite.compile(chart.spec).spec), { renderer: "none" });
    try {
      svg = await view.toSVG();
    } finally {
      view.finalize();
    }
  } catch (e) {
    throw new RingtrainError("INTERNAL", `report chart ${chart.name} could not be rendered by vega: ${errorMessage(e)}`, { cause: e });
  }
  // Report charts keep their marks inside the plot (no clipping needed); clip paths are dropped
  // because resvg 2.6 aborts the whole process — no exception to catch — on some clipped marks
  // lying far outside the canvas.
  const png = new Resvg(svg.replace(/\sclip-path="[^"]*"/g, ""), {
    fitTo: { mode: "zoom", value: PNG_ZOOM },
    font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  })
    .render()
    .asPng();
  return { svg, png };
}

/**
 * Prefixes every `id` of an SVG document, and the references to them, so that
 * several inline SVGs in one HTML page (vega numbers its clip paths from 1 in
 * each) do not resolve each other's `url(#clip1)`.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!));
  if (ids.size === 0) return svg;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (whole, id: string) => (ids.has(id) ? `url(#${prefix}-${id})` : whole))
    .replace(/\b(xlink:href|href)="#([^"]+)"/g, (whole, attr: string, id: string) => (ids.has(id) ? `${attr}="#${prefix}-${id}"` : whole));
}
