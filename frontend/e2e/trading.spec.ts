import { type APIRequestContext, expect, type Locator, type Page, test } from "@playwright/test";

import { tickDown, tickUp } from "../src/lib/krx";

/**
 * The trading flow in a real browser against the real backend (see global-setup.ts):
 * log in → dashboard → 005930 with a live chart → limit buy at the ask fills → portfolio →
 * a resting order is cancelled → at phone and desktop sizes a buy below the market shows as 내 주문
 * in the 호가창, is re-priced (정정) from that marker and cancelled in part, then in full, from the
 * open orders → at both sizes a bracket (이익실현 + 손절, OCO) on an entry limit buy below the market
 * waits in two legs, one of which is cancelled from the 감시주문 list, and a trailing stop on shares
 * not held is refused with the server's message → a strategy job shows its progress → settings
 * mask the KIS key.
 */

const SHOTS = "test-results";
const CODE = "005930";
/** A symbol no test buys: the demo account holds none of it. */
const NOT_HELD = "000660";
const DESKTOP = { width: 1440, height: 960 };
const SIZES = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1440, height: 900 },
] as const;

test.describe.configure({ mode: "serial" });

let page: Page;
const pageErrors: string[] = [];

async function api<T>(request: APIRequestContext, path: string): Promise<T> {
  const response = await request.get(`/api/v1/${path}`);
  expect(response.ok(), `${path}: ${response.status()}`).toBeTruthy();
  return (await response.json()) as T;
}

type Paged<T> = { results: T[] } | T[];
const rows = <T>(data: Paged<T>): T[] => (Array.isArray(data) ? data : data.results);

async function positionQuantity(request: APIRequestContext, account: number): Promise<number> {
  const positions = rows(await api<Paged<{ symbol: string; quantity: number }>>(request, `positions?account=${account}`));
  return positions.find((p) => p.symbol === CODE)?.quantity ?? 0;
}

function priceOf(text: string | null): number {
  return Number((text ?? "").replace(/[^0-9]/g, ""));
}

const won = (value: number) => value.toLocaleString("ko-KR");

/** A write through the API with the session's CSRF token (clean-up the page has no button for). */
async function post(path: string, data: unknown = {}): Promise<void> {
  const csrf = (await page.context().cookies()).find((c) => c.name === "csrftoken")?.value ?? "";
  const response = await page.request.post(`/api/v1/${path}`, { headers: { "X-CSRFToken": csrf }, data });
  expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
}

/** 취소 from an open-orders row: all that is open, through the dialog's confirmation. */
async function cancelAllFromRow(row: Locator): Promise<void> {
  await row.getByRole("button", { name: "취소", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "주문 취소" });
  await expect(dialog.getByRole("radio", { name: /전량 취소/ })).toBeChecked();
  await dialog.getByRole("button", { name: "다음" }).click();
  await expect(dialog.getByTestId("change-remaining")).toHaveText(/0주/);
  await dialog.getByRole("button", { name: "취소 확인" }).click();
  await expect(dialog).toBeHidden();
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

test.afterAll(async () => {
  await page.close();
});

test("log in as the demo user", async () => {
  await page.goto("/portfolio");
  await expect(page).toHaveURL(/\/login$/); // signed-out users land on the login page
  await page.getByLabel("아이디").fill("demo");
  await page.getByLabel("비밀번호").fill("wrong-password");
  await page.getByRole("button", { name: "로그인" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await page.getByLabel("비밀번호").fill("papertrade-demo");
  await page.screenshot({ path: `${SHOTS}/01-login.png` });
  await page.getByRole("button", { name: "로그인" }).click();
  await expect(page).toHaveURL(/\/portfolio$/); // back to where we were going
  await page.getByRole("link", { name: "대시보드" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("dashboard lists symbols with live prices and searches by Korean name", async () => {
  const table = page.getByTestId("symbol-table");
  await expect(table.locator(`tr[data-code="${CODE}"]`)).toBeVisible();
  expect(await table.locator("tbody tr").count()).toBeGreaterThan(5);
  await expect(page.getByTestId("gainers").locator("li").first()).toBeVisible();
  await expect(page.getByTestId("account-summary")).toBeVisible();
  await expect(page.getByTestId("ws-status")).toHaveAttribute("data-status", "open");
  await page.screenshot({ path: `${SHOTS}/02-dashboard.png`, fullPage: true });

  await page.getByRole("searchbox").fill("삼성전자");
  await expect(table.locator("tbody tr").first()).toHaveAttribute("data-code", CODE);
  await page.getByRole("searchbox").fill("");
});

test("the symbol page draws the chart and the price moves live", async () => {
  await page.getByTestId("symbol-table").locator(`tr[data-code="${CODE}"]`).click();
  await expect(page).toHaveURL(new RegExp(`/symbols/${CODE}$`));
  const chart = page.getByTestId("price-chart");
  await expect(chart.locator("canvas").first()).toBeVisible();
  expect(Number(await chart.getAttribute("data-bars"))).toBeGreaterThan(100);
  const box = await chart.boundingBox();
  expect(box?.height ?? 0).toBeGreaterThan(200);

  await expect(page.getByTestId("orderbook").locator('tr[data-side="ask"]')).toHaveCount(10);
  await expect(page.getByTestId("orderbook").locator('tr[data-side="bid"]')).toHaveCount(10);

  // Trades arrive over /ws/quotes; the price moves within seconds and the chart's last bar follows it.
  // At speed 1 the synthetic 삼성전자 prints every few seconds, with gaps of over 15 s now and then.
  const header = page.getByTestId("quote-header").locator(".big");
  await expect.poll(async () => page.getByTestId("trade-tape").locator("tbody tr").count(), { timeout: 45_000 }).toBeGreaterThan(0);
  const first = priceOf(await header.textContent());
  await expect.poll(async () => priceOf(await header.textContent()), { timeout: 30_000 }).not.toBe(first);
  await expect
    .poll(async () => Number(await chart.getAttribute("data-last-close")) === priceOf(await header.textContent()), { timeout: 10_000 })
    .toBe(true);
  await page.screenshot({ path: `${SHOTS}/03-symbol.png`, fullPage: true });
});

test("a limit buy at the ask fills and shows in the portfolio", async () => {
  const accounts = rows(await api<Paged<{ id: number }>>(page.request, "accounts"));
  const account = accounts[0].id;
  const before = await positionQuantity(page.request, account);

  const panel = page.getByTestId("order-panel");
  await panel.getByRole("button", { name: "매수", exact: true }).click();
  await panel.getByRole("button", { name: "지정가" }).click();
  await panel.getByLabel("수량").fill("3");
  // The best ask is the lowest ask row; clicking a book price puts it in the order panel.
  const bestAsk = page.getByTestId("orderbook").locator('tr[data-side="ask"][data-level="1"] .price button');
  await bestAsk.click();
  const askPrice = priceOf(await panel.getByLabel("가격").inputValue());
  expect(askPrice).toBeGreaterThan(0);
  await panel.getByRole("button", { name: /주문하기/ }).click();
  const placed = page.getByTestId("order-placed");
  await expect(placed).toBeVisible();
  const orderId = await placed.getAttribute("data-order-id");

  // Fills at once when the ask is still there, otherwise as soon as the market trades at it.
  await expect
    .poll(async () => (await api<{ status: string }>(page.request, `orders/${orderId}`)).status, { timeout: 45_000 })
    .toBe("filled");

  await page.getByRole("link", { name: "포트폴리오" }).click();
  const row = page.getByTestId("positions").locator(`tr[data-symbol="${CODE}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByTestId("position-quantity")).toHaveText(String(before + 3));
  await expect(page.getByTestId("order-history").locator(`tr[data-order-id="${orderId}"]`)).toHaveAttribute("data-status", "filled");
  await expect(page.getByTestId("fills").locator("tbody tr").first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/04-portfolio.png`, fullPage: true });
});

test("a resting limit order far below the market can be cancelled", async () => {
  const symbol = await api<{ price_limits: { lower: number } }>(page.request, `market/symbols/${CODE}`);
  await page.goto(`/symbols/${CODE}`);
  const panel = page.getByTestId("order-panel");
  await panel.getByRole("button", { name: "지정가" }).click();
  await panel.getByLabel("수량").fill("1");
  const price = panel.getByLabel("가격");
  await price.fill(String(symbol.price_limits.lower));
  await price.blur();
  await panel.getByRole("button", { name: /주문하기/ }).click();
  const placed = page.getByTestId("order-placed");
  await expect(placed).toBeVisible();
  const orderId = await placed.getAttribute("data-order-id");

  await page.getByRole("link", { name: "포트폴리오" }).click();
  const open = page.getByTestId("open-orders").locator(`tr[data-order-id="${orderId}"]`);
  await expect(open).toHaveAttribute("data-status", "new");
  await page.screenshot({ path: `${SHOTS}/05-open-order.png`, fullPage: true });
  await cancelAllFromRow(open);
  await expect(page.getByTestId("order-history").locator(`tr[data-order-id="${orderId}"]`)).toHaveAttribute("data-status", "cancelled");
  await expect(page.locator(`[data-testid="open-orders"] tr[data-order-id="${orderId}"]`)).toHaveCount(0);
});

test("an IOC buy at the lower limit finds nothing to take, and the ticket says so and why", async () => {
  const symbol = await api<{ price_limits: { lower: number } }>(page.request, `market/symbols/${CODE}`);
  await page.goto(`/symbols/${CODE}`);
  const panel = page.getByTestId("order-panel");
  await panel.getByRole("button", { name: "매수", exact: true }).click();
  await panel.getByRole("button", { name: "지정가" }).click();
  await panel.getByLabel("수량").fill("1");
  const price = panel.getByLabel("가격");
  await price.fill(String(symbol.price_limits.lower));
  await price.blur();
  await panel.getByLabel("조건").selectOption("IOC");
  await panel.getByRole("button", { name: /주문하기/ }).click();
  const refused = panel.getByTestId("order-refused");
  await expect(refused).toContainText("체결되지 않고 주문이 끝났습니다");
  await expect(refused).toContainText("즉시체결되지 않은 잔량이 취소되었습니다(IOC)");
  await expect(panel.getByTestId("order-placed")).toHaveCount(0);
  const orderId = await refused.getAttribute("data-order-id");
  expect((await api<{ status: string }>(page.request, `orders/${orderId}`)).status).toBe("cancelled");
  await page.screenshot({ path: `${SHOTS}/05b-ioc-unfilled.png` });
  await panel.getByLabel("조건").selectOption("DAY");
});

for (const size of SIZES) {
  test(`${size.name} ${size.width}×${size.height}: a buy below the market is marked in the 호가창, re-priced from the marker, cancelled from the open orders`, async () => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: size.width, height: size.height });
    try {
      await page.goto(`/symbols/${CODE}?view=order`);
      const book = page.getByTestId("orderbook");
      await expect(book.locator('tr[data-side="bid"]')).toHaveCount(10);
      // Five ticks under the best bid: it rests (the market would have to fall five ticks to reach
      // it) and stays among the ten bid levels shown (at most four levels can sit above it).
      const bestBid = Number(await book.locator('tr[data-side="bid"][data-level="1"]').getAttribute("data-price"));
      const price = tickDown(bestBid, 5);
      const panel = page.getByTestId("order-panel");
      await panel.getByRole("button", { name: "매수", exact: true }).click();
      await panel.getByRole("button", { name: "지정가" }).click();
      await panel.getByLabel("수량").fill("3");
      await panel.getByLabel("가격").fill(String(price));
      await panel.getByLabel("가격").blur();
      await expect(panel.getByLabel("가격")).toHaveValue(won(price));
      await panel.getByRole("button", { name: /주문하기/ }).click();
      const placed = page.getByTestId("order-placed");
      await expect(placed).toBeVisible();
      const orderId = await placed.getAttribute("data-order-id");
      await expect.poll(async () => (await api<{ status: string }>(page.request, `orders/${orderId}`)).status).toBe("new");

      // The 호가창 marks the level with the user's own open quantity.
      if (size.name === "phone") await page.getByRole("tablist", { name: "화면 전환" }).getByRole("tab", { name: "호가" }).click();
      const level = (at: number) => book.locator(`tr[data-side="bid"][data-price="${at}"]`);
      const marker = level(price).getByTestId("own-order");
      await expect(marker).toHaveText("내 주문 3");
      await expect(level(price)).toHaveClass(/mine/);
      await marker.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/09-${size.name}-own-order.png` });

      // 정정 from the marker: one tick lower, and the confirmation says the order loses its place.
      await marker.click();
      const modify = page.getByRole("dialog", { name: "주문 정정" });
      await expect(modify).toBeVisible();
      await expect(modify.getByLabel("정정 가격")).toHaveValue(won(price));
      await modify.getByRole("button", { name: "한 호가 내리기" }).click();
      const newPrice = tickDown(price);
      await expect(modify.getByLabel("정정 가격")).toHaveValue(won(newPrice));
      await modify.getByRole("button", { name: "다음" }).click();
      await expect(modify.getByTestId("change-price")).toContainText(`${won(price)} → ${won(newPrice)}`);
      await expect(modify.getByTestId("priority-warning")).toContainText("가격을 바꾸면 대기 순서가 뒤로 밀립니다.");
      await page.screenshot({ path: `${SHOTS}/10-${size.name}-modify-confirm.png` });
      await modify.getByRole("button", { name: "정정 확인" }).click();
      await expect(modify).toBeHidden();
      await expect.poll(async () => (await api<{ price: number }>(page.request, `orders/${orderId}`)).price).toBe(newPrice);
      await expect(level(newPrice).getByTestId("own-order")).toHaveText("내 주문 3");
      await expect(level(price).getByTestId("own-order")).toHaveCount(0);

      // 취소 from the open orders: one share first (the rest keeps its place), then all that is left.
      await page.goto("/portfolio");
      const row = page.getByTestId("open-orders").locator(`tr[data-order-id="${orderId}"]`);
      await expect(row).toHaveAttribute("data-status", "new");
      await expect(row.locator('td[data-label="가격"]')).toHaveText(won(newPrice));
      await expect(row.getByTestId("queue-ahead")).toHaveText(/^대기 앞 [\d,]+주$/);
      await row.getByRole("button", { name: "취소", exact: true }).click();
      const cancel = page.getByRole("dialog", { name: "주문 취소" });
      await cancel.getByRole("radio", { name: "일부 취소" }).check();
      await cancel.getByLabel("취소 수량").fill("1");
      await cancel.getByRole("button", { name: "다음" }).click();
      await expect(cancel.getByTestId("change-cancelled")).toContainText("1주");
      await expect(cancel.getByTestId("change-remaining")).toHaveText(/2주/);
      await expect(cancel.getByTestId("cancel-note")).toHaveText("남는 수량은 대기 순서를 그대로 유지합니다.");
      await page.screenshot({ path: `${SHOTS}/11-${size.name}-cancel-confirm.png` });
      await cancel.getByRole("button", { name: "취소 확인" }).click();
      await expect(cancel).toBeHidden();
      await expect(row.locator('td[data-label="수량"]')).toHaveText("2");
      await cancelAllFromRow(row);
      await expect(page.getByTestId("order-history").locator(`tr[data-order-id="${orderId}"]`)).toHaveAttribute("data-status", "cancelled");
      await expect(page.locator(`[data-testid="open-orders"] tr[data-order-id="${orderId}"]`)).toHaveCount(0);
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });
}

for (const size of SIZES) {
  test(`${size.name} ${size.width}×${size.height}: a bracket on an entry buy below the market waits in two legs, one is cancelled from the 감시주문 list; a trailing stop on shares not held is refused`, async () => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: size.width, height: size.height });
    let entryOrder: string | null = null;
    let legs: number[] = [];
    try {
      await page.goto(`/symbols/${CODE}?view=order`);
      const book = page.getByTestId("orderbook");
      await expect(book.locator('tr[data-side="bid"]')).toHaveCount(10);
      // Fifteen ticks under the best bid, so the entry rests and its legs stay 대기 while the test looks.
      const bestBid = Number(await book.locator('tr[data-side="bid"][data-level="1"]').getAttribute("data-price"));
      const entry = tickDown(bestBid, 15);
      const stopLoss = tickDown(entry, 10);
      const takeProfit = tickUp(bestBid, 30);

      await page.getByRole("tablist", { name: "주문 종류" }).getByRole("tab", { name: "감시주문" }).click();
      const panel = page.getByTestId("condition-panel");
      await panel.getByRole("button", { name: "브래킷" }).click();
      await panel.getByRole("button", { name: "지정가 매수" }).click();
      for (const [label, price] of [
        ["진입 가격", entry],
        ["이익실현 가격", takeProfit],
        ["손절 가격", stopLoss],
      ] as const) {
        await panel.getByLabel(label, { exact: true }).fill(String(price));
        await panel.getByLabel(label, { exact: true }).blur();
        await expect(panel.getByLabel(label, { exact: true })).toHaveValue(won(price));
      }
      await panel.getByLabel("수량", { exact: true }).fill("2");
      await expect(panel.getByTestId("condition-preview")).toContainText(`먼저 2주를 ${won(entry)}원 지정가로 매수합니다.`);
      await page.screenshot({ path: `${SHOTS}/12-${size.name}-bracket-ticket.png` });
      await panel.getByRole("button", { name: /다음/ }).click();
      const confirm = page.getByRole("dialog", { name: "감시주문 확인" });
      const sentences = confirm.getByTestId("condition-sentences");
      await expect(sentences).toContainText(`이익실현: 현재가가 ${won(takeProfit)}원 이상이 되면 체결된 주식을 시장가로 매도합니다.`);
      await expect(sentences).toContainText(`손절: 현재가가 ${won(stopLoss)}원 이하가 되면 체결된 주식을 시장가로 매도합니다.`);
      await expect(sentences).toContainText("둘 중 하나가 발동되면 다른 하나는 자동으로 취소됩니다.");
      await page.screenshot({ path: `${SHOTS}/13-${size.name}-bracket-confirm.png` });
      await confirm.getByRole("button", { name: "감시주문 접수" }).click();
      await expect(confirm).toBeHidden();
      const placed = panel.getByTestId("condition-placed");
      await expect(placed).toBeVisible();
      legs = ((await placed.getAttribute("data-condition-ids")) ?? "").split(",").map(Number);
      expect(legs).toHaveLength(2);
      const [takeProfitLeg, stopLossLeg] = legs;
      const listed = rows(await api<Paged<{ id: number; status: string; parent_order: number | null }>>(page.request, `conditions?symbol=${CODE}`));
      entryOrder = String(listed.find((c) => c.id === takeProfitLeg)?.parent_order);
      await expect.poll(async () => (await api<{ status: string; price: number }>(page.request, `orders/${entryOrder}`)).price).toBe(entry);

      // Both legs in the symbol page's 감시주문, 대기 until the entry fills; the entry among the open orders.
      const list = page.getByTestId("conditions");
      const leg = (id: number) => list.locator(`tr[data-condition-id="${id}"]`);
      for (const id of legs) {
        await expect(leg(id)).toHaveAttribute("data-status", "waiting");
        await expect(leg(id).locator(".condition-status-waiting")).toHaveText("대기");
        await expect(leg(id).locator('td[data-label="상태"]')).toContainText(`진입 주문 #${entryOrder}`);
      }
      await expect(leg(takeProfitLeg).getByTestId("condition-trigger")).toHaveText(`${won(takeProfit)}원 이상`);
      await expect(leg(stopLossLeg).getByTestId("condition-trigger")).toHaveText(`${won(stopLoss)}원 이하`);
      await expect(page.getByTestId("open-orders").locator(`tr[data-order-id="${entryOrder}"]`)).toBeVisible();
      await list.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/14-${size.name}-bracket-listed.png` });

      // 취소 of the take-profit leg from the portfolio's list: the stop-loss leg keeps waiting.
      await page.goto("/portfolio");
      const portfolioLeg = (id: number) => page.getByTestId("conditions").locator(`tr[data-condition-id="${id}"]`);
      await portfolioLeg(takeProfitLeg).getByRole("button", { name: "취소", exact: true }).click();
      const cancel = page.getByRole("dialog", { name: "감시주문 취소" });
      await expect(cancel.getByTestId("condition-cancel-terms")).toHaveText(`현재가가 ${won(takeProfit)}원 이상이 되면 2주를 시장가로 매도합니다.`);
      await expect(cancel.getByTestId("condition-sibling-kept")).toContainText(`#${stopLossLeg} 스톱(손절)`);
      await page.screenshot({ path: `${SHOTS}/15-${size.name}-condition-cancel.png` });
      await cancel.getByRole("button", { name: "취소 확인" }).click();
      await expect(cancel).toBeHidden();
      await expect(portfolioLeg(takeProfitLeg)).toHaveAttribute("data-status", "cancelled");
      await expect(portfolioLeg(takeProfitLeg).getByRole("button", { name: "취소", exact: true })).toHaveCount(0);
      await expect(portfolioLeg(stopLossLeg)).toHaveAttribute("data-status", "waiting");
      const after = rows(await api<Paged<{ id: number; status: string }>>(page.request, `conditions?symbol=${CODE}`));
      expect(after.filter((c) => legs.includes(c.id)).map((c) => [c.id, c.status])).toEqual([
        [stopLossLeg, "waiting"],
        [takeProfitLeg, "cancelled"],
      ]);

      // A trailing stop sell of a symbol the account holds none of: the server's refusal is shown.
      const accounts = rows(await api<Paged<{ id: number }>>(page.request, "accounts"));
      const held = rows(await api<Paged<{ symbol: string; quantity: number }>>(page.request, `positions?account=${accounts[0].id}`));
      expect(held.find((p) => p.symbol === NOT_HELD)?.quantity ?? 0).toBe(0);
      await page.goto(`/symbols/${NOT_HELD}?view=order`);
      await page.getByRole("tablist", { name: "주문 종류" }).getByRole("tab", { name: "감시주문" }).click();
      await panel.getByRole("button", { name: "트레일링", exact: true }).click();
      await expect(panel.getByRole("button", { name: "매도", exact: true })).toHaveAttribute("aria-pressed", "true");
      await panel.getByLabel("추적 폭 (%)").fill("2.5");
      await expect(panel.getByTestId("condition-holding")).toHaveText("보유 0주");
      await expect(panel.getByTestId("condition-preview")).toContainText("현재가가 감시 시작 후 최고가보다 2.5% 이상 내려가면 1주를 시장가로 매도합니다.");
      await panel.getByRole("button", { name: /다음/ }).click();
      await expect(confirm.getByTestId("condition-sentences")).toContainText("최고가보다 2.5% 이상 내려가면 1주를 시장가로 매도합니다.");
      await confirm.getByRole("button", { name: "감시주문 접수" }).click();
      await expect(confirm.getByRole("alert")).toHaveText(`${NOT_HELD}을(를) 0주 보유 중입니다: 매도 감시 수량은 보유 수량 이하여야 합니다.`);
      await page.screenshot({ path: `${SHOTS}/16-${size.name}-trailing-refused.png` });
      await confirm.getByRole("button", { name: "뒤로" }).click();
      await expect(confirm).toBeHidden();
      await expect(panel.getByTestId("condition-placed")).toHaveCount(0);
      const trailing = rows(await api<Paged<{ id: number }>>(page.request, `conditions?symbol=${NOT_HELD}`));
      expect(trailing).toEqual([]);
    } finally {
      await page.setViewportSize(DESKTOP);
      // Leave nothing watching for the tests after this one: the other leg, then the entry buy.
      const live = rows(await api<Paged<{ id: number; status: string }>>(page.request, `conditions?symbol=${CODE}`));
      for (const c of live.filter((c) => legs.includes(c.id) && (c.status === "waiting" || c.status === "active"))) await post(`conditions/${c.id}/cancel`);
      if (entryOrder) {
        const order = await api<{ status: string }>(page.request, `orders/${entryOrder}`);
        if (order.status === "new" || order.status === "partially_filled") await post(`orders/${entryOrder}/cancel`);
      }
    }
  });
}

test("several accounts: open one, switch to it, deposit and reset", async () => {
  await page.getByRole("link", { name: "포트폴리오" }).click();
  const name = `e2e 계좌 ${Date.now() % 100000}`;
  await page.getByPlaceholder("계좌명").fill(name);
  await page.getByRole("button", { name: "계좌 만들기" }).click();
  const selector = page.getByLabel("계좌 선택").first();
  await expect(selector.locator("option", { hasText: name })).toHaveCount(1);
  await selector.selectOption({ label: name });
  const summary = page.getByTestId("account-summary");
  const accountId = await summary.getAttribute("data-account-id");
  const before = await api<{ cash: number; equity: number }>(page.request, `accounts/${accountId}`);
  await expect(page.getByTestId("positions").or(page.getByText("데이터가 없습니다").first())).toBeVisible();

  await page.getByPlaceholder("금액").fill("1,000,000");
  await page.getByRole("button", { name: "입금" }).click();
  await expect(summary.locator("dd").nth(1)).toHaveText((before.cash + 1_000_000).toLocaleString("ko-KR"));

  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "초기화" }).click();
  await expect.poll(async () => (await api<{ cash: number }>(page.request, `accounts/${accountId}`)).cash).toBe(before.cash);
  await expect(summary.locator("dd").nth(1)).toHaveText(before.cash.toLocaleString("ko-KR"));
});

test("a lost quote stream shows 재연결 중… and recovers with its subscriptions", async () => {
  let blocked = false;
  const routed: { close: (options?: { code?: number; reason?: string }) => Promise<void> }[] = [];
  await page.routeWebSocket(/\/ws\/quotes$/, (ws) => {
    if (blocked) {
      void ws.close({ code: 1011, reason: "e2e: server unavailable" });
      return;
    }
    ws.connectToServer();
    routed.push(ws);
  });
  await page.goto(`/symbols/${CODE}`);
  const status = page.getByTestId("ws-status");
  await expect(status).toHaveAttribute("data-status", "open");
  expect(routed.length).toBeGreaterThan(0);

  blocked = true;
  for (const ws of routed) await ws.close({ code: 1011, reason: "e2e: connection lost" });
  await expect(status).toHaveAttribute("data-status", "reconnecting");
  await expect(status).toContainText("재연결 중…");
  await page.screenshot({ path: `${SHOTS}/06a-reconnecting.png` });

  blocked = false;
  await expect(status).toHaveAttribute("data-status", "open", { timeout: 30_000 });
  // Live data flows again: the re-sent subscription brings new trades for 005930.
  const tape = page.getByTestId("trade-tape").locator("tbody tr").first();
  const before = await tape.textContent();
  await expect.poll(async () => (await tape.textContent()) !== before, { timeout: 30_000 }).toBe(true);
  await page.unrouteAll({ behavior: "ignoreErrors" });
});

test("settings keep the KIS secret write-only and switch the language", async () => {
  await page.getByRole("link", { name: "설정" }).click();
  await page.getByLabel("앱 키").fill("PSDEMOKEY1234abcd");
  await page.getByLabel("앱 시크릿").fill("very-secret-value");
  await page.getByRole("button", { name: "저장" }).click();
  const status = page.getByTestId("kis-key-status");
  await expect(status).toContainText("••••");
  await expect(status).not.toContainText("PSDEMOKEY1234abcd");
  await expect(page.getByLabel("앱 키")).toHaveValue("");
  await page.screenshot({ path: `${SHOTS}/07-settings.png`, fullPage: true });
  await page.getByRole("button", { name: "EN" }).click();
  await expect(page.getByRole("link", { name: "Dashboard" })).toBeVisible();
  await page.getByRole("button", { name: "한국어" }).click();
});

test("a strategy trains and backtests with live progress, then shows its equity curve and metrics", async () => {
  test.setTimeout(300_000);
  await page.getByRole("link", { name: "전략" }).click();
  const form = page.getByRole("form", { name: "전략 만들기" });
  const name = `e2e PPO ${Date.now()}`;
  await form.getByLabel("전략명").fill(name);
  await form.getByLabel("종목 (쉼표 구분)").fill(CODE);
  await form.getByLabel("학습 스텝 수").fill("1000"); // one PPO rollout: seconds, not minutes
  await form.getByRole("button", { name: "전략 만들기" }).click();
  const card = page.getByTestId("strategy-card").filter({ hasText: name });
  await expect(card).toBeVisible();

  await card.getByRole("button", { name: "학습 시작" }).click();
  // The queued/running run shows its job's progress bar, fed by /ws/jobs.
  const bar = card.getByTestId("job-progress");
  await expect(bar).toBeVisible({ timeout: 30_000 });
  const value = Number(await bar.getAttribute("aria-valuenow"));
  expect(value).toBeGreaterThanOrEqual(0);
  expect(value).toBeLessThanOrEqual(100);
  await page.screenshot({ path: `${SHOTS}/06-strategy-training.png`, fullPage: true });
  const trainRun = card.locator("li.run").first();
  await expect(trainRun).toHaveAttribute("data-status", "succeeded", { timeout: 180_000 });
  await expect(card.getByText("학습됨")).toBeVisible();

  await card.getByRole("button", { name: "백테스트" }).click();
  const backtest = card.locator("li.run").first();
  await expect(backtest).toContainText("백테스트");
  await expect(backtest).toHaveAttribute("data-status", "succeeded", { timeout: 120_000 });
  await backtest.getByRole("button", { name: "결과" }).click();
  await expect(card.getByTestId("equity-curve").locator("canvas").first()).toBeVisible();
  expect(Number(await card.getByTestId("equity-curve").getAttribute("data-points"))).toBeGreaterThan(10);
  await expect(card.getByTestId("metrics").locator('tr[data-metric="sharpe"]')).toBeVisible();
  await expect(card.getByTestId("metrics").locator('tr[data-metric="cumulative_return"] td').first()).toHaveText(/%$/);
  await page.screenshot({ path: `${SHOTS}/08-strategy-result.png`, fullPage: true });

  await card.getByRole("button", { name: "배포", exact: true }).click();
  await expect(card.getByText("배포됨")).toBeVisible();
  await card.getByRole("button", { name: "배포 중지" }).click();
  await expect(card.getByText("배포됨")).toHaveCount(0);
  await expect(card.getByRole("button", { name: "배포", exact: true })).toBeEnabled();
});

test("no uncaught errors in the page along the way", async () => {
  expect(pageErrors).toEqual([]);
});
