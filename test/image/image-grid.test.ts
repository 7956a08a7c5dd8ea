import { describe, it, expect } from "vitest";
import { loadDataset } from "../../src/data/datasets.js";
import { imageGridSvg, layoutImageGrid, renderImageGrid, type ImageGridSpec } from "../../src/image/image-grid.js";
import { datasetImage, decodePng, type GrayImage, type RgbaImage } from "../../src/image/png.js";

/** A w×h image, black with a white w/2×h/2 square whose top-left is at (qx·w/2, qy·h/2). */
function quadrant(w: number, h: number, qx: number, qy: number): GrayImage {
  const pixels = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (Math.floor((2 * x) / w) === qx && Math.floor((2 * y) / h) === qy) pixels[y * w + x] = 255;
  return { width: w, height: h, pixels };
}

function gray(img: RgbaImage, x: number, y: number): number {
  const o = (y * img.width + x) * 4;
  // Text is anti-aliased gray; the background is white and cells are exactly their pixels.
  expect(img.data[o]).toBe(img.data[o + 1]);
  return img.data[o] as number;
}

/** Every pixel of cell (r, c) of `out` equals the source image upscaled by `scale`. */
function expectCellMatches(out: RgbaImage, spec: ImageGridSpec, r: number, c: number): void {
  const layout = layoutImageGrid(spec);
  const src = spec.rows[r]?.images[c];
  if (src === null || src === undefined) throw new Error("no image there");
  const scale = spec.scale ?? 3;
  let mismatches = 0;
  for (let y = 0; y < src.height * scale; y++) {
    for (let x = 0; x < src.width * scale; x++) {
      const want = src.pixels[Math.floor(y / scale) * src.width + Math.floor(x / scale)] as number;
      if (Math.abs(gray(out, (layout.columnX[c] as number) + x, (layout.rowY[r] as number) + y) - want) > 1) mismatches++;
    }
  }
  expect(mismatches).toBe(0);
}

describe("renderImageGrid", () => {
  it("renders a labelled grid whose cells hold the source pixels, upscaled, at their layout position", () => {
    const spec: ImageGridSpec = {
      title: "quadrants",
      columnHeaders: ["original", "v1", "v2"],
      rows: [
        { label: "class 0", images: [quadrant(8, 8, 0, 0), quadrant(8, 8, 1, 0), quadrant(8, 8, 0, 1)] },
        { label: "T-shirt/top", images: [quadrant(8, 8, 1, 1), null, quadrant(8, 8, 1, 0)] },
      ],
    };
    const png = renderImageGrid(spec);
    const out = decodePng(png);
    const layout = layoutImageGrid(spec);
    expect(out.width).toBe(layout.width);
    expect(out.height).toBe(layout.height);
    expect(layout.cellWidth).toBe(24);
    for (const [r, c] of [[0, 0], [0, 1], [0, 2], [1, 0], [1, 2]] as const) expectCellMatches(out, spec, r, c);
    // Bright where the image is bright: row 1 col 0 is bright bottom-right only.
    const x0 = layout.columnX[0] as number;
    const y1 = layout.rowY[1] as number;
    expect(gray(out, x0 + 20, y1 + 20)).toBe(255);
    expect(gray(out, x0 + 2, y1 + 2)).toBe(0);
    // The empty cell is background (white).
    expect(gray(out, (layout.columnX[1] as number) + 5, y1 + 5)).toBe(255);
    // The labels were drawn: some dark pixels left of the first column and above the first row.
    let dark = 0;
    for (let y = layout.rowY[0] as number; y < y1; y++) for (let x = 0; x < x0 - 2; x++) if (gray(out, x, y) < 128) dark++;
    expect(dark).toBeGreaterThan(20);
    let headerDark = 0;
    for (let y = 0; y < (layout.rowY[0] as number) - 1; y++) for (let x = x0; x < out.width; x++) if (gray(out, x, y) < 128) headerDark++;
    expect(headerDark).toBeGreaterThan(20);
  });

  it("renders a 10×11 MNIST preview at 3×, cells matching the digits", async () => {
    const ds = await loadDataset("mnist", "test", { limit: 110 });
    const spec: ImageGridSpec = {
      columnHeaders: ["original", ...Array.from({ length: 10 }, (_, i) => `#${i + 1}`)],
      rows: Array.from({ length: 10 }, (_, r) => ({
        label: String(ds.labels[r * 11]),
        images: Array.from({ length: 11 }, (_, c) => datasetImage(ds, r * 11 + c)),
      })),
    };
    const out = decodePng(renderImageGrid(spec));
    const layout = layoutImageGrid(spec);
    expect([out.width, out.height]).toEqual([layout.width, layout.height]);
    expect(layout.cellHeight).toBe(84);
    expectCellMatches(out, spec, 0, 0);
    expectCellMatches(out, spec, 9, 10);
    expectCellMatches(out, spec, 4, 7);
  });

  it("escapes label text in the SVG", () => {
    const svg = imageGridSvg({ rows: [{ label: "a<b&c", images: [quadrant(2, 2, 0, 0)] }] });
    expect(svg).toContain("a&#60;b&#38;c");
    expect(svg).not.toContain("a<b");
  });

  it("rejects a grid without images", () => {
    expect(() => renderImageGrid({ rows: [] })).toThrow(/0 rows and no images/);
    expect(() => renderImageGrid({ rows: [{ label: "x", images: [null] }] })).toThrow(/no images/);
  });
});
