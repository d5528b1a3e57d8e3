/// <reference lib="dom" />
import { expect, type Page, test } from "@playwright/test";

/**
 * Fill toasts as a broker's MTS shows them: a market buy larger than the best asks sweeps several
 * levels, /ws/orders sends one message per fill, and the phone (390×844) shows one toast for the
 * order, "삼성전자 매수 전량 체결 N주 · 평균 P원", that a screen reader hears once. At the desktop size
 * (1440×900) the sell of those shares sweeps the bids the same way; five orders filling at once show
 * at most three toasts (newest on top: src/stores/toasts.test.ts), each gone a few seconds later. On
 * an account of its own, so the other specs' figures stay as they were.
 */

const CODE = "005930";
const SHOTS = "test-results";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

type Level = { price: number; quantity: number };
type OrderOut = { id: number; status: string; quantity: number; filled_quantity: number; avg_fill_price: string | null };
type Paged<T> = { results: T[] } | T[];
const rows = <T,>(data: Paged<T>): T[] => (Array.isArray(data) ? data : data.results);
const won = (value: number) => Math.round(value).toLocaleString("ko-KR");

async function get<T>(page: Page, path: string): Promise<T> {
  const response = await page.request.get(`/api/v1/${path}`);
  expect(response.ok(), `${path}: ${response.status()}`).toBeTruthy();
  return (await response.json()) as T;
}

async function send<T>(page: Page, path: string, data: unknown): Promise<T> {
  const csrf = (await page.context().cookies()).find((c) => c.name === "csrftoken")?.value ?? "";
  const response = await page.request.post(`/api/v1/${path}`, { headers: { "X-CSRFToken": csrf }, data });
  expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
  return (await response.json()) as T;
}

/** Shares on the first three levels of one side of the book, once it is quoted ten deep. */
async function threeLevels(page: Page, side: "asks" | "bids"): Promise<number> {
  let levels: Level[] = [];
  await expect
    .poll(
      async () => {
        levels = (await get<Record<"asks" | "bids", Level[]>>(page, `market/orderbook/${CODE}`))[side];
        return levels.length;
      },
      { timeout: 30_000 },
    )
    .toBe(10);
  const best = [...levels].sort((a, b) => (side === "asks" ? a.price - b.price : b.price - a.price));
  return best.slice(0, 3).reduce((sum, level) => sum + level.quantity, 0);
}

/** Record what the polite live region says, and the most toasts ever on screen at once. */
async function watchToasts(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { announced: string[]; mostToasts: number };
    w.announced = [];
    w.mostToasts = document.querySelectorAll('[data-testid="toast"]').length;
    const announcer = document.querySelector('[data-testid="toast-announcer"]')!;
    new MutationObserver(() => {
      const text = announcer.textContent ?? "";
      if (text) w.announced.push(text);
    }).observe(announcer, { childList: true, subtree: true, characterData: true });
    const toaster = document.querySelector('[data-testid="toaster"]')!;
    new MutationObserver(() => {
      w.mostToasts = Math.max(w.mostToasts, toaster.querySelectorAll('[data-testid="toast"]').length);
    }).observe(toaster, { childList: true });
  });
}

const watched = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { announced: string[]; mostToasts: number };
    return { announced: [...w.announced], mostToasts: w.mostToasts };
  });

/** A market order of `quantity` from the symbol page's ticket; its id. */
async function placeMarketOrder(page: Page, side: "매수" | "매도", quantity: number): Promise<string> {
  const panel = page.getByTestId("order-panel");
  await panel.getByRole("button", { name: side, exact: true }).click();
  await panel.getByRole("button", { name: "시장가" }).click();
  await panel.getByLabel("수량").fill(String(quantity));
  await panel.getByRole("button", { name: /주문하기/ }).click();
  const placed = page.getByTestId("order-placed");
  await expect(placed).toBeVisible();
  return (await placed.getAttribute("data-order-id")) ?? "";
}

/** The order once it is done, and the distinct prices its fills were at. */
async function settled(page: Page, account: number, orderId: string): Promise<{ order: OrderOut; prices: number[] }> {
  let order: OrderOut | undefined;
  await expect
    .poll(async () => {
      order = await get<OrderOut>(page, `orders/${orderId}`);
      return order.status;
    })
    .toBe("filled");
  const fills = rows(await get<Paged<{ order: number; price: number }>>(page, `trades?account=${account}&symbol=${CODE}`));
  const prices = [...new Set(fills.filter((f) => String(f.order) === orderId).map((f) => f.price))];
  return { order: order!, prices };
}

test("a market order that sweeps the book is one toast, at phone and desktop sizes", async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(PHONE);
  await page.goto("/login");
  await page.getByLabel("아이디").fill("demo");
  await page.getByLabel("비밀번호").fill("papertrade-demo");
  await page.getByRole("button", { name: "로그인" }).click();
  await expect(page).not.toHaveURL(/\/login$/);
  const name = `체결 알림 ${Date.now() % 100_000}`;
  const account = await send<{ id: number }>(page, "accounts", { name, initial_cash: 10 ** 12 });

  await page.goto(`/symbols/${CODE}?view=order`);
  await page.getByLabel("계좌 선택").first().selectOption({ label: name });
  await expect(page.getByTestId("ws-status")).toHaveAttribute("data-status", "open");
  await watchToasts(page);

  // Phone: a buy of the first three ask levels' shares fills at several prices, one message each.
  const buyQuantity = await threeLevels(page, "asks");
  const buyId = await placeMarketOrder(page, "매수", buyQuantity);
  const buy = await settled(page, account.id, buyId);
  expect(buy.prices.length, `fills at ${buy.prices.join(", ")}`).toBeGreaterThan(1);
  const buyText = `삼성전자 매수 전량 체결 ${won(buyQuantity)}주 · 평균 ${won(Number(buy.order.avg_fill_price))}원`;
  const toasts = page.getByTestId("toast");
  await expect(toasts).toHaveCount(1);
  await expect(toasts.first()).toHaveText(buyText);
  await expect(toasts.first()).toBeInViewport();
  await expect(page.getByTestId("toast-announcer")).toHaveText(buyText);
  await page.screenshot({ path: `${SHOTS}/fill-toast-phone.png` });
  // Every fill came in its own message, yet it was one toast and one announcement.
  await page.waitForTimeout(1_000);
  let seen = await watched(page);
  expect(seen.mostToasts).toBe(1);
  expect(seen.announced).toEqual([buyText]);
  await toasts.first().click(); // a tap dismisses it
  await expect(toasts).toHaveCount(0);

  // Desktop: the sell of those shares sweeps the bids the same way.
  await page.setViewportSize(DESKTOP);
  const sellQuantity = Math.min(buyQuantity, await threeLevels(page, "bids"));
  const sellId = await placeMarketOrder(page, "매도", sellQuantity);
  const sell = await settled(page, account.id, sellId);
  expect(sell.prices.length, `fills at ${sell.prices.join(", ")}`).toBeGreaterThan(1);
  const sellText = `삼성전자 매도 전량 체결 ${won(sellQuantity)}주 · 평균 ${won(Number(sell.order.avg_fill_price))}원`;
  await expect(toasts).toHaveCount(1);
  await expect(toasts.first()).toHaveText(sellText);
  await expect(toasts.first()).toBeInViewport();
  // The announcement follows the burst's last fill by a moment of quiet (400 ms), as on the phone.
  await expect(page.getByTestId("toast-announcer")).toHaveText(sellText);
  await page.screenshot({ path: `${SHOTS}/fill-toast-desktop.png` });
  await page.waitForTimeout(1_000);
  seen = await watched(page);
  expect(seen.announced).toEqual([buyText, sellText]);

  // Five orders filling at once: at most three toasts on screen, the newest on top, then none.
  const symbols = rows(await get<Paged<{ code: string; name: string }>>(page, "market/symbols?page_size=50"))
    .filter((s) => ![CODE, "035720", "000660"].includes(s.code)) // none another spec trades or looks at
    .slice(0, 5);
  expect(symbols).toHaveLength(5);
  await Promise.all(
    symbols.map((s, i) =>
      send(page, "orders", { account: account.id, symbol: s.code, side: "buy", type: "market", time_in_force: "IOC", quantity: 1, client_order_id: `toasts-${Date.now()}-${i}` }),
    ),
  );
  await expect.poll(async () => (await watched(page)).mostToasts).toBe(3);
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SHOTS}/fill-toast-phone-many.png` });
  await expect(toasts).toHaveCount(3);
  const shown = await toasts.allTextContents();
  expect(shown.every((text) => / 매수 전량 체결 1주 · 평균 [\d,]+원$/.test(text)), shown.join(" | ")).toBe(true);
  expect((await watched(page)).mostToasts).toBe(3);
  await expect(toasts).toHaveCount(0, { timeout: 10_000 }); // each goes a few seconds after its last update
});
