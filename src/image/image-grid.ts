/**
 * A labelled grid of grayscale images rendered to PNG: e.g. one row per class
 * with an "original" column and ten augmented variants (augment-preview), or a
 * failure gallery.
 *
 * The grid is laid out as SVG — each cell an <image> whose href is a PNG data
 * URI of the image already upscaled by nearest neighbour, plus <text> for the
 * title, column headers and row labels — and rasterised by resvg with the
 * system fonts (DejaVu Sans). Cells sit at integer coordinates at their native
 * (upscaled) size, so their pixels reach the output unresampled; tests rely on
 * that through {@link layoutImageGrid}.
 */
import { Resvg } from "@resvg/resvg-js";
import { RingtrainError } from "../core/errors.js";
import { encodeGrayPng, type GrayImage } from "./png.js";

/** One row of the grid: a label on its left and its cells (null leaves a cell empty). */
export interface ImageGridRow {
  label: string;
  images: readonly (GrayImage | null)[];
}

export interface ImageGridSpec {
  rows: readonly ImageGridRow[];
  /** One header per column (fewer leaves the rest blank). */
  columnHeaders?: readonly string[];
  /** A line above everything. */
  title?: string;
  /** Nearest-neighbour upscale factor of every image; default 3 (28 px → 84 px). */
  scale?: number;
}

/** Where everything lands in the output, in output pixels. */
export interface ImageGridLayout {
  width: number;
  height: number;
  columns: number;
  /** Size of every cell (the largest image, upscaled); smaller images sit at its top-left. */
  cellWidth: number;
  cellHeight: number;
  /** Left edge of column c. */
  columnX: number[];
  /** Top edge of row r. */
  rowY: number[];
  /** Right edge of the row labels (they are right-aligned to it). */
  labelRight: number;
  titleBaseline: number;
  headerBaseline: number;
}

const FONT_SIZE = 12;
const TITLE_SIZE = 14;
const PAD = 8;
const GAP = 4;
/** DejaVu Sans averages ~0.6 em per character; the label column is sized from it. */
const CHAR_WIDTH = 0.62 * FONT_SIZE;

/**
 * Computes the grid's geometry without rendering (also how tests find a cell).
 *
 * @throws RingtrainError INTERNAL when there are no rows or no images, or the scale is not a positive integer.
 */
export function layoutImageGrid(spec: ImageGridSpec): ImageGridLayout {
  const scale = spec.scale ?? 3;
  if (!(Number.isInteger(scale) && scale >= 1)) {
    throw new RingtrainError("INTERNAL", `renderImageGrid: scale is ${scale}; expected a positive integer`);
  }
  const columns = Math.max(0, ...spec.rows.map((r) => r.images.length));
  let maxW = 0;
  let maxH = 0;
  for (const r of spec.rows) {
    for (const img of r.images) {
      if (img === null) continue;
      maxW = Math.max(maxW, img.width);
      maxH = Math.max(maxH, img.height);
    }
  }
  if (spec.rows.length === 0 || maxW === 0) {
    throw new RingtrainError("INTERNAL", `renderImageGrid: ${spec.rows.length} rows and no images; expected at least one image`);
  }
  const cellWidth = maxW * scale;
  const cellHeight = maxH * scale;
  const longestLabel = Math.max(0, ...spec.rows.map((r) => r.label.length));
  const labelRight = PAD + Math.ceil(longestLabel * CHAR_WIDTH);
  const gridLeft = labelRight + (longestLabel > 0 ? GAP * 2 : 0);
  let top = PAD;
  const titleBaseline = top + TITLE_SIZE;
  if (spec.title !== undefined && spec.title !== "") top += TITLE_SIZE + GAP * 2;
  const headerBaseline = top + FONT_SIZE;
  if ((spec.columnHeaders ?? []).some((h) => h !== "")) top += FONT_SIZE + GAP * 2;
  const columnX = Array.from({ length: columns }, (_, c) => gridLeft + c * (cellWidth + GAP));
  const rowY = spec.rows.map((_, r) => top + r * (cellHeight + GAP));
  // The width also fits a header wider than its cell in the last column.
  const lastHeader = spec.columnHeaders?.[columns - 1] ?? "";
  const lastOverhang = Math.max(0, Math.ceil((lastHeader.length * CHAR_WIDTH - cellWidth) / 2));
  const width = gridLeft + columns * cellWidth + (columns - 1) * GAP + Math.max(PAD, lastOverhang + GAP);
  const titleWidth = spec.title === undefined ? 0 : PAD * 2 + Math.ceil(spec.title.length * 0.62 * TITLE_SIZE);
  const height = top + spec.rows.length * cellHeight + (spec.rows.length - 1) * GAP + PAD;
  return {
    width: Math.max(width, titleWidth),
    height,
    columns,
    cellWidth,
    cellHeight,
    columnX,
    rowY,
    labelRight,
    titleBaseline,
    headerBaseline,
  };
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The grid as an SVG document (self-contained: images are data URIs), for
 * embedding in HTML reports. Synchronous.
 *
 * @throws RingtrainError INTERNAL as {@link layoutImageGrid}, or on an image whose size disagrees with its pixels.
 */
export function imageGridSvg(spec: ImageGridSpec): string {
  const layout = layoutImageGrid(spec);
  const scale = spec.scale ?? 3;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<g font-family="DejaVu Sans, sans-serif" font-size="${FONT_SIZE}" fill="#202020">`,
  ];
  if (spec.title !== undefined && spec.title !== "") {
    parts.push(`<text x="${PAD}" y="${layout.titleBaseline}" font-size="${TITLE_SIZE}" font-weight="bold">${xmlEscape(spec.title)}</text>`);
  }
  spec.columnHeaders?.forEach((h, c) => {
    const x = layout.columnX[c];
    if (h === "" || x === undefined) return;
    parts.push(`<text x="${x + layout.cellWidth / 2}" y="${layout.headerBaseline}" text-anchor="middle">${xmlEscape(h)}</text>`);
  });
  spec.rows.forEach((row, r) => {
    const y = layout.rowY[r] as number;
    if (row.label !== "") {
      parts.push(
        `<text x="${layout.labelRight}" y="${y + layout.cellHeight / 2}" text-anchor="end" dominant-baseline="central">${xmlEscape(row.label)}</text>`,
      );
    }
    row.images.forEach((img, c) => {
      if (img === null) return;
      const png = encodeGrayPng(img, scale).toString("base64");
      parts.push(
        `<image x="${layout.columnX[c]}" y="${y}" width="${img.width * scale}" height="${img.height * scale}" image-rendering="optimizeSpeed" href="data:image/png;base64,${png}"/>`,
      );
    });
  });
  parts.push("</g></svg>");
  return parts.join("\n");
}

/**
 * Renders the grid to PNG bytes (RGBA, white background). Synchronous and
 * CPU-bound: a 10×11 grid of 28×28 images at scale 3 takes ~100–250 ms on
 * 2 shared cores, loading the system fonts included.
 *
 * @throws RingtrainError INTERNAL as {@link imageGridSvg}.
 */
export function renderImageGrid(spec: ImageGridSpec): Buffer {
  const svg = imageGridSvg(spec);
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
}
