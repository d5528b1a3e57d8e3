import { expect, type Page, test } from "@playwright/test";

import { roundToTick } from "../src/lib/krx";

/**
 * VI (변동성완화장치) as a trader meets it: a buy limit 5% above the deepest ask, larger than the
 * whole ask side of 카카오, takes every ask (about 1% deep: the synthetic participants quote ten
 * levels) and rests at its limit; the next sell that would trade there, over 3% above the last trade,
 * triggers the upper dynamic VI (±3% for a KOSPI 200 stock) instead, and the symbol page shows the
 * VI badge. A symbol no other spec trades, on an account of its own.
 */

const CODE = "035720";
const SHOTS = "test-results";

async function login(page: Page): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("아이디").fill("demo");
  await page.getByLabel("비밀번호").fill("papertrade-demo");
  await page.getByRole("button", { name: "로그인" }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

async function send<T>(page: Page, path: string, data: unknown): Promise<T> {
  const csrf = (await page.context().cookies()).find((c) => c.name === "csrftoken")?.value ?? "";
  const response = await page.request.post(`/api/v1/${path}`, { headers: { "X-CSRFToken": csrf }, data });
  expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
  return (await response.json()) as T;
}

test("a bid far above the last price triggers the upper VI, shown on the symbol page", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await login(page);
  await page.goto(`/symbols/${CODE}`);
  await expect(page.getByTestId("phase-badge")).toBeVisible();
  await expect(page.getByTestId("vi-badge")).toHaveCount(0);

  // The market has quoted a full book (the practice market opens when the server starts).
  let deepest = 0;
  await expect
    .poll(
      async () => {
        const book = (await (await page.request.get(`/api/v1/market/orderbook/${CODE}`)).json()) as {
          asks: { price: number; quantity: number }[];
        };
        deepest = Math.max(...book.asks.map((level) => level.price));
        return book.asks.length;
      },
      { timeout: 30_000 },
    )
    .toBe(10);
  const account = await send<{ id: number }>(page, "accounts", { name: "VI 체험", initial_cash: 10 ** 12 });
  // 5% above the deepest ask: once the asks are gone, the last trade is at most that ask, and a
  // sell at the resting limit would trade more than 3% above it.
  const limit = roundToTick(deepest * 1.05, "down");
  const order = await send<{ id: number; filled_quantity: number; avg_fill_price: string | null }>(page, "orders", {
    account: account.id,
    symbol: CODE,
    side: "buy",
    type: "limit",
    price: limit,
    quantity: 2_000_000,
  });
  expect(order.filled_quantity).toBeGreaterThan(0); // it took the asks
  expect(order.filled_quantity).toBeLessThan(2_000_000); // and rests at its limit

  const badge = page.getByTestId("vi-badge");
  await expect(badge).toBeVisible({ timeout: 20_000 });
  await expect(badge).toHaveText(/(동적|정적) VI/);
  const quote = (await (await page.request.get(`/api/v1/market/quotes/${CODE}`)).json()) as {
    vi: { kind: string; trigger_price: number; reference_price: number } | null;
  };
  expect(quote.vi).not.toBeNull();
  const vi = quote.vi!;
  await expect(badge).toContainText(vi.trigger_price.toLocaleString("ko-KR"));
  // the 2-minute VI call counts down on the market clock (the practice clock is not the wall's)
  await expect(badge).toHaveText(/· [0-2]:[0-5]\d$/);
  // Its fills were all inside the VI's range: nothing traded at or beyond the trigger price.
  expect(vi.kind).toBe("dynamic");
  expect(Number(order.avg_fill_price)).toBeLessThan(vi.trigger_price);
  expect(vi.trigger_price).toBeLessThan(limit);
  await page.screenshot({ path: `${SHOTS}/vi-symbol-desktop.png`, fullPage: false });

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(badge).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/vi-symbol-phone.png`, fullPage: false });
});
