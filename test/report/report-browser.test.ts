import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildSweepFixture, type SweepFixture } from "./sweep-fixture.js";

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

/**
 * The sweep report opened in a real headless browser, from file:// with no
 * network: the table, the plots and the gallery images render, and the page
 * logs no console error and raises no page error.
 */
describe.skipIf(!haveChromium)(`report.html in headless chromium${haveChromium ? "" : ` (skipped: ${CHROMIUM} absent)`}`, () => {
  let fixture: SweepFixture;
  let browser: BrowserContext;

  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), "rt-report-browser-"));
    fixture = await buildSweepFixture(root);
    const r = await runCli(["report", fixture.sweepDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // a fresh profile per run: nothing cached or configured from elsewhere
    browser = await chromium.launchPersistentContext(join(root, "chromium-profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      timeout: 60_000,
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("shows the results table, the plots and the gallery without errors or network requests", async () => {
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
  }, 60_000);
});
