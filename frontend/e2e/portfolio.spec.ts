/// <reference lib="dom" />
import { type Browser, expect, type Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";

/**
 * The portfolio page as a Korean broker's MTS shows it, at a phone (390×844) and a desktop
 * (1440×900) size, against the real backend (global-setup.ts): a fresh account buys 삼성전자 at the
 * market from the order panel and sells part of it; then on 포트폴리오 the 매매일지 lists both fills
 * with the stock's name and the time to the second, the 실현손익 calendar shows today's realised P&L
 * (the server's figure) in the rise/fall colour, both CSV files download with a BOM and Korean
 * headers, the summary is the sum of the holdings rows, and nothing is wider than the screen.
 */

const SHOTS = "test-results";
const CODE = "005930";
const NAME = "삼성전자";
const SIZES = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1440, height: 900 },
] as const;

const JOURNAL_HEADER = "체결일자,체결시각,종목코드,종목명,매매구분,체결단가,체결수량,체결금액,수수료,제세금,정산금액,실현손익,주문번호,체결번호";
const ACTIVITY_HEADER = "일시,구분,종목코드,종목명,매매구분,수량,단가,금액,잔액,매매일,결제일,비고";

interface ApiTrade {
  id: number;
  order: number;
  symbol: string;
  symbol_name: string;
  side: "buy" | "sell";
  quantity: number;
  price: number;
  commission: number;
  tax: number;
  realized_pnl: number;
  time: string;
}
interface ApiAccount {
  id: number;
  name: string;
  realized_pnl: number;
}

const seoulTime = new Intl.DateTimeFormat("ko-KR", { timeZone: "Asia/Seoul", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const seoulDay = (at: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul", year: "numeric", month: "2-digit", day: "2-digit" }).format(at);

async function login(browser: Browser, size: (typeof SIZES)[number]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: size.width, height: size.height }, acceptDownloads: true });
  await page.goto("/login");
  await page.getByLabel("아이디").fill("demo");
  await page.getByLabel("비밀번호").fill("papertrade-demo");
  await page.getByRole("button", { name: "로그인" }).click();
  await expect(page.getByTestId("ws-status")).toBeVisible();
  return page;
}

async function get<T>(page: Page, path: string): Promise<T> {
  const response = await page.request.get(`/api/v1/${path}`);
  expect(response.ok(), `${path}: ${response.status()}`).toBeTruthy();
  return (await response.json()) as T;
}

const rows = <T,>(data: { results: T[] } | T[]): T[] => (Array.isArray(data) ? data : data.results);

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.page, `${what}: page ${widths.page}px wide in a ${widths.viewport}px viewport`).toBeLessThanOrEqual(widths.viewport);
}

/** A market order from the symbol page's order panel; waits until the exchange has answered it. */
async function marketOrder(page: Page, side: "매수" | "매도", quantity: number): Promise<{ id: number; filled: number }> {
  await page.goto(`/symbols/${CODE}?view=order`);
  const panel = page.getByTestId("order-panel");
  await panel.getByRole("button", { name: side, exact: true }).click();
  await panel.getByRole("button", { name: "시장가" }).click();
  await expect(panel.getByLabel("가격")).toHaveValue("시장가");
  if (side === "매도") await expect(panel.getByTestId("holding")).not.toHaveText(/^0/);
  await panel.getByLabel("수량").fill(String(quantity));
  await panel.getByRole("button", { name: /주문하기/ }).click();
  const placed = page.getByTestId("order-placed");
  await expect(placed).toBeVisible();
  const id = Number(await placed.getAttribute("data-order-id"));
  // A market order is IOC: it fills at once against the synthetic book in its continuous session.
  await expect
    .poll(async () => (await get<{ status: string }>(page, `orders/${id}`)).status, { timeout: 30_000 })
    .toMatch(/^(filled|cancelled|expired)$/);
  const order = await get<{ filled_quantity: number }>(page, `orders/${id}`);
  return { id, filled: order.filled_quantity };
}

for (const size of SIZES) {
  test(`${size.name} ${size.width}×${size.height}: fills in the 매매일지 and the 실현손익 calendar, CSV files, summary = Σ rows`, async ({ browser }) => {
    test.setTimeout(150_000);
    const page = await login(browser, size);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    // A fresh account of this test's own, picked in the account selector (the order panel trades it).
    const name = `일지 ${size.name} ${Date.now() % 100_000}`;
    await page.goto("/portfolio");
    await page.getByPlaceholder("계좌명").fill(name);
    await page.getByRole("button", { name: "계좌 만들기" }).click();
    const selector = page.getByLabel("계좌 선택").first();
    await expect(selector.locator("option", { hasText: name })).toHaveCount(1);
    await selector.selectOption({ label: name });
    const summary = page.getByTestId("account-summary");
    const accountId = Number(await summary.getAttribute("data-account-id"));
    expect((await get<ApiAccount>(page, `accounts/${accountId}`)).name).toBe(name);

    const buy = await marketOrder(page, "매수", 3);
    expect(buy.filled).toBeGreaterThan(0);
    const sell = await marketOrder(page, "매도", 1);
    expect(sell.filled).toBe(1);

    const trades = rows(await get<{ results: ApiTrade[] }>(page, `trades?account=${accountId}`));
    expect(trades.length).toBeGreaterThanOrEqual(2);
    const sale = trades.find((t) => t.side === "sell")!;
    const account = await get<ApiAccount>(page, `accounts/${accountId}`);
    // Fills are stamped by the market clock (here a practice clock on the next trading day): today is its day.
    const today = seoulDay(new Date((await get<{ now: string }>(page, "market/status")).now));
    expect(seoulDay(new Date(sale.time))).toBe(today);

    await page.goto("/portfolio");
    await expect(summary).toHaveAttribute("data-account-id", String(accountId));

    // 매매일지: every fill, newest first, with the name and the time to the second in Seoul.
    const journal = page.getByTestId("journal");
    await expect(journal.locator("tr.journal-fill")).toHaveCount(trades.length);
    await expect(journal.locator(`tbody[data-day="${today}"]`)).toBeVisible();
    for (const trade of trades) {
      const row = journal.locator(`tr[data-trade="${trade.id}"]`);
      await expect(row.getByTestId("journal-name")).toHaveText(NAME);
      await expect(row.getByTestId("journal-time")).toHaveText(seoulTime.format(new Date(trade.time)));
      await expect(row.getByTestId("journal-time")).toHaveText(/^\d{2}:\d{2}:\d{2}$/);
      await expect(row).toHaveAttribute("data-side", trade.side);
    }
    const saleRow = journal.locator(`tr[data-trade="${sale.id}"]`);
    await expect(saleRow.locator("td").nth(2)).toContainText("매도");
    await expect(saleRow.locator("td").nth(3)).toHaveText(sale.price.toLocaleString("ko-KR"));
    await expect(saleRow.locator("td").nth(7)).toHaveText(sale.tax.toLocaleString("ko-KR"));
    // Each row's realised P&L is the one the server booked with that fill.
    expect(sale.symbol_name).toBe(NAME);
    for (const trade of trades) await expect(journal.locator(`tr[data-trade="${trade.id}"]`)).toHaveAttribute("data-realized", String(trade.realized_pnl));
    // The fresh account's fills are all today's: the journal's realised P&L is the server's.
    await expect(page.getByTestId("journal-totals")).toHaveAttribute("data-realized", String(account.realized_pnl));
    expect(account.realized_pnl).not.toBe(0);

    // 실현손익 calendar: today's cell holds the server's realised P&L, red for a gain, blue for a loss.
    const calendar = page.getByTestId("realized-calendar");
    await expect(calendar).toHaveAttribute("data-month", today.slice(0, 7));
    const todayCell = calendar.locator(`td[data-day="${today}"]`);
    await expect(todayCell).toHaveAttribute("data-realized", String(account.realized_pnl));
    await expect(todayCell).toHaveAttribute("data-fills", String(trades.length));
    await expect(todayCell).toHaveClass(account.realized_pnl > 0 ? /gain/ : /loss/);
    await expect(todayCell.locator(".calendar-amount")).toHaveClass(account.realized_pnl > 0 ? /dir-up/ : /dir-down/);
    await expect(todayCell.locator(".calendar-amount")).toHaveText(account.realized_pnl > 0 ? /^\+/ : /^-/);
    await expect(page.getByTestId("calendar-month-total")).toHaveAttribute("data-value", String(account.realized_pnl));
    await expect(page.getByTestId("realized-months").locator(`tr[data-month="${today.slice(0, 7)}"]`)).toHaveAttribute("data-realized", String(account.realized_pnl));
    await expect(page.getByTestId("summary-realized")).toHaveAttribute("data-value", String(account.realized_pnl));
    // Picking the day shows it alone in the 매매일지.
    await todayCell.getByRole("button").click();
    await expect(page.getByRole("group", { name: "매매일지 조회기간" }).getByRole("button", { name: "오늘" })).toHaveAttribute("aria-pressed", "true");
    await expect(journal.locator("tr.journal-fill")).toHaveCount(trades.length);

    // 매매일지 CSV: UTF-8 with a BOM, Korean headers, one line per fill with the sale's figures.
    const [journalFile] = await Promise.all([page.waitForEvent("download"), page.getByTestId("journal-csv").click()]);
    expect(journalFile.suggestedFilename()).toBe(`매매일지_${name}_${today.replace(/-/g, "")}-${today.replace(/-/g, "")}.csv`);
    const journalBytes = readFileSync(await journalFile.path());
    expect([...journalBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const journalLines = journalBytes.subarray(3).toString("utf8").split("\r\n");
    expect(journalLines[0]).toBe(JOURNAL_HEADER);
    expect(journalLines.filter(Boolean)).toHaveLength(1 + trades.length);
    const saleRealized = Number(await saleRow.getAttribute("data-realized"));
    expect(journalLines).toContain(
      [
        today,
        seoulTime.format(new Date(sale.time)),
        CODE,
        NAME,
        "매도",
        sale.price,
        sale.quantity,
        sale.price * sale.quantity,
        sale.commission,
        sale.tax,
        sale.price * sale.quantity - sale.commission - sale.tax,
        saleRealized,
        sale.order,
        sale.id,
      ].join(","),
    );

    // 거래내역 (activities) and its CSV: fills, commissions, taxes and the opening deposit.
    const activities = page.getByTestId("activities");
    await expect(activities.locator('tr[data-type="fill"]')).toHaveCount(trades.length);
    await expect(activities.locator('tr[data-type="deposit"]')).toHaveCount(1);
    const [activityFile] = await Promise.all([page.waitForEvent("download"), page.getByTestId("activities-csv").click()]);
    expect(activityFile.suggestedFilename()).toMatch(/^거래내역_.+\.csv$/);
    const activityBytes = readFileSync(await activityFile.path());
    expect([...activityBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const activityLines = activityBytes.subarray(3).toString("utf8").split("\r\n");
    expect(activityLines[0]).toBe(ACTIVITY_HEADER);
    const fillLines = activityLines.filter((line) => line.split(",")[1] === "체결");
    expect(fillLines).toHaveLength(trades.length);
    expect(fillLines).toContain(
      [`${today} ${seoulTime.format(new Date(sale.time))}`, "체결", CODE, NAME, "매도", sale.quantity, sale.price, sale.price * sale.quantity, "", "", "", ""].join(","),
    );
    expect(activityLines.some((line) => line.split(",")[1] === "입금" && line.endsWith(",계좌 개설"))).toBe(true);

    // The summary is the holdings rows added up, at every read while quotes move; 총손익 = 실현 + 평가.
    await expect(page.getByTestId("positions").locator(`tr[data-symbol="${CODE}"]`)).toBeVisible();
    await expect
      .poll(async () => page.evaluate(() => {
        const value = (id: string) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute("data-value"));
        return value("summary-pnl") - value("summary-realized") - value("summary-unrealized");
      }))
      .toBe(0);
    for (let read = 0; read < 4; read += 1) {
      const snapshot = await page.evaluate(() => {
        const value = (id: string) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute("data-value"));
        const text = (id: string) => Number((document.querySelector(`[data-testid="${id}"]`)?.textContent ?? "").replace(/[^0-9-]/g, ""));
        const sum = (attribute: string) =>
          Array.from(document.querySelectorAll('[data-testid="positions"] tr[data-market-value]')).reduce((s, r) => s + Number(r.getAttribute(attribute)), 0);
        return {
          marketValue: [value("summary-market-value"), text("summary-market-value"), sum("data-market-value")],
          cost: [value("summary-cost"), text("summary-cost"), sum("data-cost")],
          unrealized: [value("summary-unrealized"), text("summary-unrealized"), sum("data-unrealized")],
        };
      });
      for (const [figure, [summaryValue, shown, rowsSum]] of Object.entries(snapshot)) {
        expect(summaryValue, figure).toBe(rowsSum);
        expect(shown, figure).toBe(Math.round(rowsSum));
      }
      await page.waitForTimeout(750);
    }

    // The equity chart draws the account's history.
    const chart = page.getByTestId("equity-chart");
    await expect(chart.locator("canvas").first()).toBeVisible();
    expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(0);
    await page.getByRole("button", { name: "1일", exact: true }).click();
    await expect(chart.locator("canvas").first()).toBeVisible();

    await expectNoSidewaysScroll(page, `${size.name} portfolio`);
    await page.screenshot({ path: `${SHOTS}/portfolio-${size.name}.png`, fullPage: true });
    await page.locator(".portfolio-top").screenshot({ path: `${SHOTS}/portfolio-${size.name}-summary.png` });
    await page.locator(".realized-card").screenshot({ path: `${SHOTS}/portfolio-${size.name}-realized.png` });
    await page.locator(".journal-card").screenshot({ path: `${SHOTS}/portfolio-${size.name}-journal.png` });
    await page.locator(".activities-card").screenshot({ path: `${SHOTS}/portfolio-${size.name}-activities.png` });
    expect(errors).toEqual([]);
    await page.close();
  });
}
