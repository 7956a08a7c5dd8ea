import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { decodePng } from "../../src/image/png.js";
import type { RunSummary } from "../../src/runs/records.js";
import type { SweepRecord } from "../../src/experiments/sweep-record.js";
import { writeReport } from "../../src/report/write-report.js";
import { runCli } from "../helpers/cli.js";
import { buildSweepFixture, type SweepFixture } from "./sweep-fixture.js";

/** The `<tr>`s of the HTML table with id `tableId`, as [data-trial, row html]. */
function tableRows(html: string, tableId: string): Array<{ trial: string; html: string }> {
  const table = new RegExp(`<table id="${tableId}">([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (table === undefined) throw new Error(`no table #${tableId} in the report`);
  return [...table.matchAll(/<tr data-trial="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({ trial: m[1]!, html: m[0] }));
}

/** The parts of DOM elements the page checks read (the tests compile without the DOM library). */
interface PageElement {
  getAttribute(name: string): string | null;
  textContent: string | null;
  getBoundingClientRect(): { width: number };
  querySelectorAll(selector: string): { length: number };
}
interface PageImage {
  complete: boolean;
  naturalWidth: number;
}

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). */
const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`report-browser: skipped: ${CHROMIUM} is absent (apt-get install chromium)`);

async function expectDecodablePng(path: string): Promise<void> {
  const png = decodePng(await readFile(path));
  expect(png.width, path).toBeGreaterThan(100);
  expect(png.height, path).toBeGreaterThan(50);
}

/**
 * `ringtrain report` on a sweep of real runs (also opened in headless chromium
 * where it is installed), a CV-shaped sweep, a single run, and directories that
 * are neither.
 */
describe("ringtrain report", () => {
  let root: string;
  let fixture: SweepFixture;
  let html: string;
  let markdown: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "rt-report-"));
    fixture = await buildSweepFixture(root);
    const r = await runCli(["report", fixture.sweepDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    html = await readFile(join(fixture.sweepDir, "report.html"), "utf8");
    markdown = await readFile(join(fixture.sweepDir, "report.md"), "utf8");
  }, 180_000);

  it("has one results row per trial, the best marked, the diverged one marked with its step and loss", () => {
    const rows = tableRows(html, "results-table");
    expect(rows.map((r) => r.trial)).toEqual(fixture.trialIds);
    const best = rows.find((r) => r.html.includes('class="best"'));
    expect(best?.trial).toBe("t00-lr0.1");
    const diverged = rows.find((r) => r.trial === fixture.divergedTrialId)!;
    expect(diverged.html).toMatch(/class="diverged"/);
    expect(diverged.html).toMatch(/diverged at step \d+ \(epoch \d+, loss [^)]+\)/);
    for (const header of ["trial", "status", "optimizer.learningRate", "epochs", "optimizer steps", "train acc", "train loss", "val acc", "val loss", "test acc", "test loss", "error rate", "wall s", "samples/s", "workers", "backend"]) {
      expect(html).toContain(`<th>${header}</th>`);
    }
    // the completed rows show their figures: workers 2, backend wasm or cpu
    expect(rows[0]!.html).toMatch(/<td class="num">2<\/td><td>(wasm|cpu|tensorflow)/);
  });

  it("shows the reference figures beside ours, and the discussion", () => {
    expect(html).toContain("Fixture reference 2024");
    expect(tableRows(html, "results-table")[0]!.html).toContain("test accuracy 91.23%");
    expect(html).toMatch(/<table id="reference-table">[\s\S]*91\.23%[\s\S]*t00-lr0\.1/);
    expect(html).toContain("<strong>600</strong>");
    expect(html).toContain("<code>60000</code>");
    expect(markdown).toContain("## Reference");
    expect(markdown).toContain("| optimizer.learningRate=0.1 | test accuracy | 91.23% | t00-lr0.1 |");
  });

  it("is self-contained: inline SVG plots, data: images, no scripts, nothing fetched", () => {
    // every figure but the gallery, which the page shows as captioned <img>s
    const svgs = html.match(/<svg[\s>]/g) ?? [];
    expect(svgs.length).toBe(8);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).not.toMatch(/<link /);
    const imgs = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]!);
    expect(imgs.length).toBeGreaterThan(0);
    for (const src of imgs) {
      expect(src.startsWith("data:image/png;base64,")).toBe(true);
      expect(decodePng(Buffer.from(src.slice("data:image/png;base64,".length), "base64")).width).toBe(84);
    }
    // ids are unique across the inline SVGs (each chart's clip paths and gradients are scoped)
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
  });

  /**
   * The sweep report opened in a real headless browser, from file:// with no
   * network: the table, the plots and the gallery images render, and the page
   * logs no console error and raises no page error.
   */
  it.skipIf(!haveChromium)(
    `in headless chromium, shows the results table, the plots and the gallery without errors or network requests${haveChromium ? "" : ` (skipped: ${CHROMIUM} absent)`}`,
    async () => {
      // a fresh profile per run: nothing cached or configured from elsewhere
      const browser = await chromium.launchPersistentContext(join(root, "chromium-profile"), {
        executablePath: CHROMIUM,
        headless: true,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        timeout: 60_000,
      });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        const requests: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
        });
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
        page.on("request", (req) => {
          if (!req.url().startsWith("file:") && !req.url().startsWith("data:")) requests.push(req.url());
        });
        await page.goto(pathToFileURL(join(fixture.sweepDir, "report.html")).href, { waitUntil: "load", timeout: 30_000 });

        const trials = await page.$$eval("#results-table tbody tr", (rows: PageElement[]) => rows.map((r) => r.getAttribute("data-trial")));
        expect(trials).toEqual(fixture.trialIds);
        const headers = await page.$$eval("#results-table thead th", (ths: PageElement[]) => ths.map((th) => th.textContent));
        expect(headers).toEqual(expect.arrayContaining(["trial", "status", "optimizer.learningRate", "test acc", "val loss", "samples/s", "backend"]));
        expect(await page.textContent(`#results-table tr[data-trial="${fixture.divergedTrialId}"]`)).toMatch(/diverged at step \d+/);

        // every plot is an SVG with drawn marks and a real size on the page
        const plots = await page.$$eval("figure.plot svg", (svgs: PageElement[]) =>
          svgs.map((s) => ({ width: s.getBoundingClientRect().width, marks: s.querySelectorAll("path, rect, image").length })),
        );
        expect(plots.length).toBeGreaterThanOrEqual(8);
        for (const p of plots) {
          expect(p.width).toBeGreaterThan(100);
          expect(p.marks).toBeGreaterThan(3);
        }

        const images = await page.$$eval("#gallery img", (imgs: PageImage[]) => imgs.map((i) => ({ complete: i.complete, natural: i.naturalWidth })));
        expect(images.length).toBeGreaterThan(0);
        for (const img of images) expect(img).toEqual({ complete: true, natural: 84 });

        expect(problems).toEqual([]);
        expect(requests).toEqual([]);
        await page.close();
      } finally {
        await browser.close();
      }
    },
    120_000,
  );

  it("writes every figure as a PNG that decodes, and report.md links each of them", async () => {
    const figures = (await readdir(join(fixture.sweepDir, "figures"))).filter((f) => f.endsWith(".png")).sort();
    expect(figures).toEqual(
      expect.arrayContaining([
        "accuracy-by-epoch.png", "accuracy-by-step.png", "loss-by-epoch.png", "loss-by-step.png", "test-accuracy-by-optimizer-learningRate.png",
        "confusion-matrix.png", "per-class-accuracy.png", "confidently-wrong.png", "reference-comparison.png",
      ]),
    );
    for (const f of figures) {
      await expectDecodablePng(join(fixture.sweepDir, "figures", f));
      expect(markdown).toContain(`(figures/${f})`);
    }
  });

  it("writes the results table into report.md, one row per trial", () => {
    const tableLines = markdown.split("\n").filter((l) => l.startsWith("| "));
    expect(tableLines[0]).toMatch(/^\| trial \| status \| optimizer\.learningRate \| test accuracy \| epochs \| optimizer steps \|/);
    for (const id of fixture.trialIds) expect(tableLines.some((l) => l.startsWith(`| ${id}`) || l.startsWith(`| **${id}`))).toBe(true);
    expect(markdown).toMatch(/\| t02-lr500 \| diverged at step \d+/);
  });

  it("computes the confusion matrix of the best trial once, then rebuilds from analysis.json", async () => {
    const analysisPath = join(fixture.sweepDir, "analysis.json");
    const analysis = JSON.parse(await readFile(analysisPath, "utf8")) as { runDir: string; confusion: number[][]; samples: number; gallery: unknown[] };
    expect(analysis.runDir).toBe(relative(fixture.sweepDir, fixture.runDirs["t00-lr0.1"]!));
    expect(analysis.confusion.flat().reduce((a, b) => a + b, 0)).toBe(300);
    expect(analysis.gallery.length).toBeGreaterThan(0);
    const before = (await stat(analysisPath)).mtimeMs;
    const written = await writeReport(fixture.sweepDir);
    expect((await stat(analysisPath)).mtimeMs).toBe(before);
    expect(written.figures.length).toBe(9);
    expect(await readFile(written.html, "utf8")).toContain('<table id="results-table">');
  }, 60_000);

  it("shows CV trials as mean ± std over their folds, and the final run", async () => {
    // a CV-shaped sweep over the same run directories: two "folds" per trial and a final run
    const cvDir = join(root, "cv-sweep");
    await mkdir(cvDir, { recursive: true });
    const lr = JSON.parse(await readFile(join(fixture.sweepDir, "sweep.json"), "utf8")) as SweepRecord;
    const [a, b] = lr.trials;
    const rel = (t: typeof a): string => relative(cvDir, join(fixture.sweepDir, t!.runs[0]!.runDir));
    const run = (t: typeof a, fold: number): SweepRecord["trials"][number]["runs"][number] => ({ ...t!.runs[0]!, runDir: rel(t), fold });
    const record: SweepRecord = {
      ...lr,
      sweepId: "cv-sweep",
      metric: "validationAccuracy",
      trials: [
        { ...a!, trialId: "t00-cv", runs: [run(a, 0), run(b, 1)], metric: { name: "validationAccuracy", mean: 0.6, std: 0.1, values: [0.7, 0.5] } },
        { ...b!, trialId: "t01-cv", runs: [run(b, 0), run(b, 1)], metric: { name: "validationAccuracy", mean: 0.48, std: 0, values: [0.48, 0.48] } },
      ],
      best: { trialId: "t00-cv", value: 0.6 },
      final: { ...a!.runs[0]!, runDir: rel(a), fold: null },
    };
    await writeFile(join(cvDir, "sweep.json"), JSON.stringify(record));
    const written = await writeReport(cvDir);
    const page = await readFile(written.html, "utf8");
    expect(tableRows(page, "results-table").map((r) => r.trial)).toEqual(["t00-cv", "t01-cv"]);
    expect(page).toContain("60.00% ± 10.00% (n=2)");
    expect(page).toContain("<th>runs</th>");
    expect(tableRows(page, "final-table").map((r) => r.trial)).toEqual(["final"]);
    expect(page).toContain("final (t00-cv retrained)");
    // the final run is the one analysed
    expect(page).toMatch(/Run <code>[^<]*t00-lr0\.1[^<]*<\/code> scored on its test split/);
    expect(await readFile(written.markdown, "utf8")).toContain("### Final model");
  }, 60_000);

  it("reports a single run directory as one row, also one written before steps.jsonl and validation figures", async () => {
    const runDir = join(root, "old-run");
    await cp(fixture.runDirs["t01-lr0.02"]!, runDir, { recursive: true });
    for (const f of ["steps.jsonl", "report.html", "report.md", "analysis.json"]) await rm(join(runDir, f), { force: true });
    // the metrics and summary of older versions: no validation fields
    const lines = (await readFile(join(runDir, "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => {
      const { validationLoss: _l, validationAccuracy: _a, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    await writeFile(join(runDir, "metrics.jsonl"), lines.join("\n") + "\n");
    const { validationLoss: _l, validationAccuracy: _a, validationSamples: _s, ...summary } = JSON.parse(await readFile(join(runDir, "summary.json"), "utf8")) as RunSummary;
    await writeFile(join(runDir, "summary.json"), JSON.stringify(summary));

    const r = await runCli(["report", runDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const page = await readFile(join(runDir, "report.html"), "utf8");
    const rows = tableRows(page, "results-table");
    expect(rows.length).toBe(1);
    expect(rows[0]!.html).toContain("48.00%");
    expect(page).toContain("<th>batchSize</th>");
    for (const f of ["loss-by-step.png", "confusion-matrix.png", "confidently-wrong.png"]) await expectDecodablePng(join(runDir, "figures", f));
  }, 60_000);

  it("says so when it leaves out a torn last line of metrics.jsonl, naming the file and the line, and reports the rest", async () => {
    const runDir = join(root, "torn-run");
    await cp(fixture.runDirs["t01-lr0.02"]!, runDir, { recursive: true });
    // without weights: no analysis to compute, only the curves
    for (const f of ["weights.bin", "weights.json", "report.html", "report.md", "analysis.json"]) await rm(join(runDir, f), { force: true });
    const metrics = join(runDir, "metrics.jsonl");
    const whole = (await readFile(metrics, "utf8")).trim().split("\n").length;
    await writeFile(metrics, (await readFile(metrics, "utf8")) + '{"epoch": 9, "trainLoss": 0.4');

    const r = await runCli(["report", runDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`report: ${metrics} line ${whole + 1} is cut short`);
    expect(r.stdout).toContain(`it was left out, the ${whole} lines before it were read`);
    expect(tableRows(await readFile(join(runDir, "report.html"), "utf8"), "results-table").length).toBe(1);
  }, 60_000);

  it("refuses a directory that is neither a run nor a sweep", async () => {
    const r = await runCli(["report", root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/neither a sweep directory .* nor a run directory/);
  });
});
