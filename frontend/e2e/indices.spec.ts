/// <reference lib="dom" />
import { type Browser, expect, type Page, test } from "@playwright/test";

/**
 * The KOSPI/KOSDAQ header: in the top bar on a desktop (1440×900), at the top of the home screen on a
 * phone (390×844), computed from the simulated market and marked 모의, painted by direction, moving
 * with the market over /ws/quotes; no page wider than the screen at those sizes and in between.
 */

const SHOTS = "test-results";
const SIZES = [
  { name: "phone", width: 390, height: 844, shown: "index-header-home", hidden: "index-header-bar" },
  { name: "desktop", width: 1440, height: 900, shown: "index-header-bar", hidden: "index-header-home" },
] as const;
const POINTS = /^\d{1,3}(,\d{3})*\.\d{2}$/;

interface IndexValue {
  index: string;
  kind: string;
  value: number | null;
  change: number | null;
  simulated: boolean;
}

async function login(browser: Browser, width: number, height: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.goto("/login");
  await page.getByLabel("아이디").fill("demo");
  await page.getByLabel("비밀번호").fill("papertrade-demo");
  await page.getByRole("button", { name: "로그인" }).click();
  await expect(page.getByTestId("ws-status")).toBeVisible();
  return page;
}

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.page, `${what}: page ${widths.page}px wide in a ${widths.viewport}px viewport`).toBeLessThanOrEqual(widths.viewport);
}

for (const size of SIZES) {
  test(`the index header at ${size.width}×${size.height}`, async ({ browser }) => {
    const page = await login(browser, size.width, size.height);
    const header = page.getByTestId(size.shown);
    await expect(header).toBeVisible();
    await expect(page.getByTestId(size.hidden)).toBeHidden();
    await expect(header).toHaveAttribute("data-ready", "true");

    const api = (await (await page.request.get("/api/v1/market/indices")).json()) as { indices: IndexValue[]; note: string };
    expect(api.indices.map((index) => [index.index, index.kind, index.simulated])).toEqual([
      ["KS11", "live", true],
      ["KQ11", "live", true],
    ]);
    for (const [code, name] of [
      ["KS11", "코스피"],
      ["KQ11", "코스닥"],
    ] as const) {
      const item = header.locator(`[data-index="${code}"]`);
      await expect(item.locator(".index-name")).toHaveText(name);
      // the feed has quoted the demo's symbols: a value in points, painted as its change goes
      await expect(item.locator(".index-value")).toHaveText(POINTS);
      const change = (await item.locator(".index-change").textContent()) ?? "";
      const tone = change.includes("▲") ? "dir-up" : change.includes("▼") ? "dir-down" : "dir-flat";
      await expect(item.locator(".index-value")).toHaveClass(new RegExp(tone));
      await expect(item.locator(".index-change")).toHaveText(/^(▲상승 |▼하락 )?\d{1,3}(,\d{3})*\.\d{2} [+-]?\d+\.\d{2}%$/);
    }
    await expect(header.getByTestId("index-simulated")).toHaveText("모의");
    await expect(header.getByTestId("index-simulated")).toHaveAttribute("title", api.note);
    await expectNoSidewaysScroll(page, `${size.name} dashboard`);
    await page.screenshot({ path: `${SHOTS}/indices-${size.name}.png` });
    await header.screenshot({ path: `${SHOTS}/indices-${size.name}-header.png` });

    // The market moves and the header follows it over the quote stream (no polling while it is open).
    const before = await header.locator('[data-index="KS11"] .index-value').textContent();
    const beforeKosdaq = await header.locator('[data-index="KQ11"] .index-value').textContent();
    await expect
      .poll(
        async () =>
          (await header.locator('[data-index="KS11"] .index-value').textContent()) !== before ||
          (await header.locator('[data-index="KQ11"] .index-value').textContent()) !== beforeKosdaq,
        { timeout: 45_000, intervals: [500] },
      )
      .toBe(true);

    // Other pages keep to the screen with the header in the top bar (e2e/layout.spec.ts checks them all).
    await page.goto("/symbols/005930");
    await expect(page.getByTestId("price-chart").locator("canvas").first()).toBeVisible();
    await expectNoSidewaysScroll(page, `${size.name} symbol`);
    await page.screenshot({ path: `${SHOTS}/indices-${size.name}-symbol.png` });
    await page.close();
  });
}

for (const width of [768, 1024, 1280]) {
  test(`nothing wider than a ${width} px screen, the header shown once`, async ({ browser }) => {
    const page = await login(browser, width, 900);
    const shown = width >= 1280 ? "index-header-bar" : "index-header-home";
    await expect(page.getByTestId(shown)).toBeVisible();
    await expect(page.getByTestId(shown === "index-header-bar" ? "index-header-home" : "index-header-bar")).toBeHidden();
    await expect(page.getByTestId(shown)).toHaveAttribute("data-ready", "true");
    await expectNoSidewaysScroll(page, `${width} dashboard`);
    await page.screenshot({ path: `${SHOTS}/indices-${width}.png` });
    await page.goto("/symbols/005930");
    await expect(page.getByTestId("price-chart").locator("canvas").first()).toBeVisible();
    await expectNoSidewaysScroll(page, `${width} symbol`);
    await page.close();
  });
}
