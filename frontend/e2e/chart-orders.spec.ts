import { type Browser, type BrowserContext, expect, type Locator, type Page, test } from "@playwright/test";

import { tickDown, tickUp } from "../src/lib/krx";

/**
 * Open orders and 감시주문 as price lines on the symbol page's chart (see global-setup.ts for the
 * backend): at 1440×900 a resting limit buy's line is dragged with the mouse, given up with Escape
 * (it goes back), dragged again and confirmed through the 정정 dialog; at 390×844 with touch a long
 * press takes the line and drags it, while a quick swipe over it only pans the chart. Each checks
 * the order's price through the API and where its line stands on the chart.
 */

const SHOTS = "test-results";
const CODE = "005930";

test.describe.configure({ mode: "serial" });

type Paged<T> = { results: T[] } | T[];
const rows = <T>(data: Paged<T>): T[] => (Array.isArray(data) ? data : data.results);
const won = (value: number) => value.toLocaleString("ko-KR");

let desktop: BrowserContext;
const pageErrors: string[] = [];

async function get<T>(page: Page, path: string): Promise<T> {
  const response = await page.request.get(`/api/v1/${path}`);
  expect(response.ok(), `${path}: ${response.status()}`).toBeTruthy();
  return (await response.json()) as T;
}

async function post<T>(page: Page, path: string, data: unknown = {}): Promise<T> {
  const csrf = (await page.context().cookies()).find((c) => c.name === "csrftoken")?.value ?? "";
  const response = await page.request.post(`/api/v1/${path}`, { headers: { "X-CSRFToken": csrf }, data });
  expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
  return (await response.json()) as T;
}

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  return page;
}

/** A limit buy of 3 ten ticks under the best bid: it rests while the test moves it further down. */
async function placeRestingBuy(page: Page): Promise<{ id: number; price: number }> {
  const account = rows(await get<Paged<{ id: number }>>(page, "accounts"))[0].id;
  const book = await get<{ bids: { price: number }[] }>(page, `market/orderbook/${CODE}`);
  const price = tickDown(book.bids[0].price, 10);
  const order = await post<{ id: number; status: string }>(page, "orders", { account, symbol: CODE, side: "buy", type: "limit", quantity: 3, price });
  await expect.poll(async () => (await get<{ status: string }>(page, `orders/${order.id}`)).status).toBe("new");
  return { id: order.id, price };
}

async function cancelIfOpen(page: Page, id: number | null): Promise<void> {
  if (id === null) return;
  const order = await get<{ status: string }>(page, `orders/${id}`);
  if (order.status === "new" || order.status === "partially_filled") await post(page, `orders/${id}/cancel`);
}

/** The symbol page's chart once it draws the order's line, and the hint that says how to drag it. */
async function openChart(page: Page, orderId: number, hint: string): Promise<Locator> {
  await page.goto(`/symbols/${CODE}?view=chart`);
  const chart = page.getByTestId("price-chart");
  await expect(chart.locator("canvas").first()).toBeVisible();
  await chart.scrollIntoViewIfNeeded();
  await expect(chart).toHaveAttribute("data-order-lines", new RegExp(`(^|,)${orderId}:`));
  await expect(page.getByTestId("chart-drag-hint").getByText(hint, { exact: true })).toBeVisible();
  return chart;
}

/**
 * Where the order's line stands (page y, CSS px), found as a user finds it: moving the mouse down
 * the price pane until the chart takes the line under it (a few px either side), then the middle of
 * that band. Null when no line of the order is on the pane.
 */
async function lineY(page: Page, chart: Locator, orderId: number, x: number): Promise<number | null> {
  const box = (await chart.boundingBox())!;
  const hovered = async (y: number) => {
    await page.mouse.move(x, y);
    return (await chart.getAttribute("data-hover-order")) === String(orderId);
  };
  // The price pane is the chart's top ~330 px (the volume pane and the time axis are below it).
  for (let y = box.y + 2; y < box.y + box.height - 100; y += 6) {
    if (!(await hovered(y))) continue;
    const band: number[] = [];
    for (let fine = y - 7; fine <= y + 12; fine += 1) if (await hovered(fine)) band.push(fine);
    await page.mouse.move(x, box.y + box.height + 40); // off the chart again
    return (band[0] + band[band.length - 1]) / 2;
  }
  return null;
}

async function login(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await newPage(context);
  await page.goto("/login");
  await page.getByLabel("아이디").fill("demo");
  await page.getByLabel("비밀번호").fill("papertrade-demo");
  await page.getByRole("button", { name: "로그인" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.close();
  return context;
}

test.beforeAll(async ({ browser }) => {
  desktop = await login(browser);
});

test.afterAll(async () => {
  await desktop.close();
});

test("desktop 1440×900: dragging a resting buy's line proposes a 정정; Escape puts it back, confirming moves the order and its line", async () => {
  test.setTimeout(120_000);
  const page = await newPage(desktop);
  let orderId: number | null = null;
  let conditionId: number | null = null;
  try {
    const order = await placeRestingBuy(page);
    orderId = order.id;
    // A buy stop twenty ticks over the market: a 감시주문 line of its own style above the candles.
    const account = rows(await get<Paged<{ id: number }>>(page, "accounts"))[0].id;
    const quote = await get<{ best_ask: number | null; price: number }>(page, `market/quotes/${CODE}`);
    const trigger = tickUp(quote.best_ask ?? quote.price, 20);
    const condition = await post<{ id: number }>(page, "conditions", { account, symbol: CODE, side: "buy", quantity: 1, trigger: "stop", trigger_price: trigger, order_type: "market" });
    conditionId = condition.id;

    const chart = await openChart(page, order.id, "주문선을 위아래로 끌어 정정");
    await expect(chart).toHaveAttribute("data-order-lines", new RegExp(`(^|,)${order.id}:${order.price}(,|$)`));
    await expect(chart).toHaveAttribute("data-condition-lines", new RegExp(`(^|,)${condition.id}:${trigger}(,|$)`));
    const box = (await chart.boundingBox())!;
    const x = box.x + box.width * 0.45;
    const y0 = await lineY(page, chart, order.id, x);
    expect(y0, "the order's line is on the price pane").not.toBeNull();
    const start = y0!;

    // On the line the cursor says it can be dragged up and down.
    await page.mouse.move(x, start + 2);
    await expect(chart).toHaveAttribute("data-hover-order", String(order.id));
    const cursor = await page.evaluate(([px, py]) => getComputedStyle(document.elementFromPoint(px, py)!).cursor, [x, start + 2]);
    expect(cursor).toBe("ns-resize");
    await page.screenshot({ path: `${SHOTS}/chart-01-desktop-lines.png` });

    // Drag down 50 px, then give it up with Escape: nothing is sent and the line goes back.
    await page.mouse.down();
    for (let i = 1; i <= 10; i += 1) await page.mouse.move(x, start + 2 + i * 5);
    await expect(chart).toHaveAttribute("data-drag-order", String(order.id));
    const firstProposal = Number(await chart.getAttribute("data-drag-price"));
    expect(firstProposal).toBeLessThan(order.price);
    await page.mouse.up();
    const dialog = page.getByRole("dialog", { name: "주문 정정" });
    await expect(dialog.getByTestId("change-price")).toContainText(`${won(order.price)} → ${won(firstProposal)}`);
    await expect(chart).toHaveAttribute("data-order-lines", new RegExp(`(^|,)${order.id}:${firstProposal}(,|$)`));
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(chart).toHaveAttribute("data-order-lines", new RegExp(`(^|,)${order.id}:${order.price}(,|$)`));
    expect((await get<{ price: number }>(page, `orders/${order.id}`)).price).toBe(order.price);
    // Back where it was: the drag neither panned nor zoomed the chart under it.
    const back = await lineY(page, chart, order.id, x);
    expect(Math.abs((back ?? -1000) - start)).toBeLessThanOrEqual(2);

    // Drag 60 px down again, and confirm this time.
    await page.mouse.move(x, start);
    await page.mouse.down();
    for (let i = 1; i <= 12; i += 1) await page.mouse.move(x, start + i * 5);
    const drop = start + 60;
    const proposed = Number(await chart.getAttribute("data-drag-price"));
    expect(proposed).toBeLessThan(order.price);
    await page.screenshot({ path: `${SHOTS}/chart-02-desktop-dragging.png` });
    await page.mouse.up();
    await expect(dialog.getByTestId("change-price")).toContainText(`${won(order.price)} → ${won(proposed)}`);
    await expect(dialog.getByTestId("priority-warning")).toContainText("가격을 바꾸면 대기 순서가 뒤로 밀립니다.");
    await page.screenshot({ path: `${SHOTS}/chart-03-desktop-confirm.png` });
    await dialog.getByRole("button", { name: "정정 확인" }).click();
    await expect(dialog).toBeHidden();
    await expect.poll(async () => (await get<{ price: number }>(page, `orders/${order.id}`)).price).toBe(proposed);
    await expect(chart).toHaveAttribute("data-order-lines", new RegExp(`(^|,)${order.id}:${proposed}(,|$)`));
    const moved = await lineY(page, chart, order.id, x);
    expect(Math.abs((moved ?? -1000) - drop), `the line at ${moved}, let go at ${drop}`).toBeLessThanOrEqual(6);
    await page.screenshot({ path: `${SHOTS}/chart-04-desktop-modified.png` });
  } finally {
    await cancelIfOpen(page, orderId);
    if (conditionId !== null) await post(page, `conditions/${conditionId}/cancel`);
    await page.close();
  }
});

test("phone 390×844 with touch: a long press takes the line and drags it; a quick swipe over it only pans the chart", async ({ browser }) => {
  test.setTimeout(120_000);
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    storageState: await desktop.storageState(),
  });
  const page = await newPage(phone);
  let orderId: number | null = null;
  try {
    const order = await placeRestingBuy(page);
    orderId = order.id;
    const chart = await openChart(page, order.id, "주문선을 길게 누른 뒤 끌어 정정");
    const box = (await chart.boundingBox())!;
    const x = box.x + box.width * 0.45;
    const start = await lineY(page, chart, order.id, x);
    expect(start, "the order's line is on the price pane").not.toBeNull();
    const y0 = start!;

    const cdp = await phone.newCDPSession(page);
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", y = 0) =>
      cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x, y }] });

    // Press and hold on the line (a finger's width off it), then drag it 50 px down.
    await touch("touchStart", y0 + 6);
    await page.waitForTimeout(700);
    await expect(chart).toHaveAttribute("data-drag-order", String(order.id));
    for (let i = 1; i <= 10; i += 1) await touch("touchMove", y0 + 6 + i * 5);
    const proposed = Number(await chart.getAttribute("data-drag-price"));
    expect(proposed).toBeLessThan(order.price);
    await page.screenshot({ path: `${SHOTS}/chart-05-phone-dragging.png` });
    await touch("touchEnd");
    const dialog = page.getByRole("dialog", { name: "주문 정정" });
    await expect(dialog.getByTestId("change-price")).toContainText(`${won(order.price)} → ${won(proposed)}`);
    await expect(dialog.getByTestId("priority-warning")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/chart-06-phone-confirm.png` });
    await dialog.getByRole("button", { name: "정정 확인" }).tap();
    await expect(dialog).toBeHidden();
    await expect.poll(async () => (await get<{ price: number }>(page, `orders/${order.id}`)).price).toBe(proposed);
    await expect(chart).toHaveAttribute("data-order-lines", new RegExp(`(^|,)${order.id}:${proposed}(,|$)`));
    const moved = await lineY(page, chart, order.id, x);
    expect(Math.abs((moved ?? -1000) - (y0 + 56)), `the line at ${moved}, let go at ${y0 + 56}`).toBeLessThanOrEqual(6);
    await page.screenshot({ path: `${SHOTS}/chart-07-phone-modified.png` });

    // A swipe that starts on the line without holding is the chart's: no drag, no dialog.
    await touch("touchStart", moved!);
    for (let i = 1; i <= 8; i += 1) await touch("touchMove", moved! + i * 6);
    await expect(chart).not.toHaveAttribute("data-drag-order", /.*/);
    await touch("touchEnd");
    await page.waitForTimeout(600);
    await expect(dialog).toBeHidden();
    expect((await get<{ price: number }>(page, `orders/${order.id}`)).price).toBe(proposed);
  } finally {
    await cancelIfOpen(page, orderId);
    await page.close();
    await phone.close();
  }
});

test("no uncaught errors in the pages along the way", () => {
  expect(pageErrors).toEqual([]);
});
