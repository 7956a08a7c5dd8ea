/**
 * Charts of the best model's predictions: the confusion matrix heatmap, the
 * per-class accuracy, and the gallery of the most confidently wrong images.
 */
import { encodeGrayPng } from "../image/png.js";
import { reportChart, type ReportChart } from "./chart-spec.js";
import type { GalleryItem, RunAnalysis } from "./run-analysis.js";

function splitName(a: RunAnalysis): string {
  return `${a.split} split (${a.samples.toLocaleString("en-US")} images)`;
}

/** `7 (Sneaker)` where class names are words, `7` for digits. */
function classLabel(a: RunAnalysis, label: number): string {
  const name = a.classNames[label] ?? String(label);
  return name === String(label) ? name : `${label} ${name}`;
}

export function confusionChart(a: RunAnalysis): ReportChart {
  const labels = a.classNames.map((_, i) => classLabel(a, i));
  const values = a.confusion.flatMap((row, t) => row.map((count, p) => ({ actual: labels[t], predicted: labels[p], count, share: count / Math.max(1, row.reduce((x, y) => x + y, 0)) })));
  const max = Math.max(1, ...a.confusion.flat());
  return reportChart({
    name: "confusion-matrix",
    title: "Confusion matrix",
    chartTitle: `Confusion matrix — ${a.runId}`,
    caption: `Counts of true class (rows) against predicted class (columns) for ${a.runId} on its ${splitName(a)}; the diagonal is correct.`,
    spec: {
      width: { step: 34 },
      height: { step: 34 },
      data: { values },
      encoding: {
        x: { field: "predicted", type: "ordinal", sort: labels, title: "predicted class", axis: { labelAngle: 0 } },
        y: { field: "actual", type: "ordinal", sort: labels, title: "true class" },
      },
      layer: [
        {
          mark: { type: "rect" },
          encoding: {
            // square root: the few off-diagonal errors stay visible beside the large diagonal
            color: { field: "count", type: "quantitative", scale: { scheme: "blues", type: "sqrt" }, title: "images" },
            tooltip: [{ field: "actual" }, { field: "predicted" }, { field: "count" }, { field: "share", format: ".1%", title: "share of row" }],
          },
        },
        {
          mark: { type: "text", fontSize: 10 },
          encoding: {
            text: { field: "count", type: "quantitative" },
            color: { condition: { test: `datum.count > ${max * 0.4}`, value: "white" }, value: "#222222" },
          },
        },
      ],
    },
  });
}

export function perClassChart(a: RunAnalysis): ReportChart {
  const labels = a.classNames.map((_, i) => classLabel(a, i));
  const values = a.perClass.filter((c) => c.accuracy !== null).map((c) => ({ label: labels[c.label], accuracy: c.accuracy, count: c.count, correct: c.correct }));
  return reportChart({
    name: "per-class-accuracy",
    title: "Per-class accuracy",
    chartTitle: `Per-class accuracy — ${a.runId}`,
    caption: `Share of each class's images classified correctly by ${a.runId} on its ${splitName(a)}.`,
    spec: {
      width: { step: 40 },
      height: 220,
      data: { values },
      encoding: {
        x: { field: "label", type: "ordinal", sort: labels, title: "class", axis: { labelAngle: labels.some((l) => l.length > 3) ? -35 : 0 } },
        y: { field: "accuracy", type: "quantitative", title: "accuracy", axis: { format: ".0%" }, scale: { domain: [0, 1] } },
        tooltip: [{ field: "label" }, { field: "accuracy", format: ".2%" }, { field: "correct" }, { field: "count" }],
      },
      layer: [
        { mark: { type: "bar", color: "#4c78a8" } },
        { mark: { type: "text", dy: -6, fontSize: 10 }, encoding: { text: { field: "accuracy", type: "quantitative", format: ".1%" } } },
      ],
    },
  });
}

/** Nearest-neighbour upscale of gallery images: 28 px digits at 3× stay crisp in the PNG and the HTML. */
export const GALLERY_SCALE = 3;

/** A gallery image as a PNG data URI (upscaled). */
export function galleryImageUri(item: GalleryItem): string {
  const png = encodeGrayPng({ width: item.width, height: item.height, pixels: new Uint8Array(Buffer.from(item.pixelsBase64, "base64")) }, GALLERY_SCALE);
  return `data:image/png;base64,${png.toString("base64")}`;
}

/** The caption of a gallery image: `true 4 → predicted 9, 98.7%`. */
export function galleryCaption(a: RunAnalysis, item: GalleryItem): string {
  return `true ${classLabel(a, item.label)} → ${classLabel(a, item.predicted)}, ${confidenceText(item.confidence)}`;
}

/**
 * A probability as a percentage with enough decimals to tell the most confident
 * mistakes apart (an over-fitted network is wrong with 99.99x%); never rounds up to 100%.
 */
export function confidenceText(p: number): string {
  for (const digits of [1, 2, 3]) {
    const text = (100 * p).toFixed(digits);
    if (Number(text) < 100 && (p < 0.99 || digits > 1)) return `${text}%`;
  }
  return ">99.999%";
}

/** The gallery as a faceted chart of image marks (for the PNG beside the report); null when nothing was misclassified. */
export function galleryChart(a: RunAnalysis): ReportChart | null {
  if (a.gallery.length === 0) return null;
  const size = Math.max(...a.gallery.map((g) => Math.max(g.width, g.height))) * GALLERY_SCALE;
  const values = a.gallery.map((g, rank) => ({ rank, url: galleryImageUri(g), caption: `#${rank + 1}: ${classLabel(a, g.label)} → ${classLabel(a, g.predicted)}|${confidenceText(g.confidence)} sure` }));
  return reportChart({
    name: "confidently-wrong",
    title: "Most confidently wrong",
    chartTitle: `Most confidently wrong — ${a.runId}`,
    caption: `The ${a.gallery.length} ${a.split} images ${a.runId} misclassified with the highest confidence: true class, prediction, and the predicted class's probability.`,
    config: { view: { stroke: null }, header: { labelFontSize: 11, labelLimit: size + 40 }, facet: { spacing: 14 } },
    spec: {
      data: { values },
      facet: { field: "caption", type: "nominal", title: null, sort: { field: "rank" }, header: { labelOrient: "bottom", labelExpr: "split(datum.label, '|')", labelPadding: 4 } },
      columns: 6,
      spec: {
        width: size,
        height: size,
        mark: { type: "image", width: size, height: size, aspect: false },
        encoding: { url: { field: "url", type: "nominal" }, x: { value: size / 2 }, y: { value: size / 2 } },
      },
    },
  });
}
