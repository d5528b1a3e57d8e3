/// <reference lib="dom" />
import { type Browser, expect, type Locator, type Page, test } from "@playwright/test";

import { choseong } from "../src/lib/hangul";

/**
 * 관심종목 in a real browser against the real backend, at a phone (390×844) and a desktop
 * (1440×900) size: create a group on 관심, add 005930 from the symbol page's header and 000660
 * from the search results (줄임말 하닉), see both with live prices on 관심, reorder them by mouse
 * and keyboard (kept after a reload), find 삼성전자 by 초성 ㅅㅅ, sort the table by a column, and
 * delete the group. No page is wider than the screen; screenshots go to test-results/.
 */

const SHOTS = "test-results";
const SIZES = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1440, height: 900 },
] as const;

type Group = { id: number; name: string; items: { code: string }[] };

async function login(browser: Browser, size: (typeof SIZES)[number]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
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

async function shot(page: Page, name: string): Promise<void> {
  await expectNoSidewaysScroll(page, name);
  await page.screenshot({ path: `${SHOTS}/watchlist-${name}.png`, fullPage: true });
}

async function serverGroup(page: Page, name: string): Promise<Group | undefined> {
  const response = await page.request.get("/api/v1/watchlists");
  expect(response.ok()).toBeTruthy();
  return ((await response.json()) as Group[]).find((g) => g.name === name);
}

/** In the 관심 dialog opened by `button`: tick `group`, see the confirmation, close. */
async function addVia(page: Page, button: Locator, symbolName: string, group: string, shotName?: string): Promise<void> {
  await button.click();
  const dialog = page.getByRole("dialog", { name: `${symbolName} 관심종목` });
  const box = dialog.getByRole("checkbox", { name: new RegExp(group) });
  await expect(box).not.toBeChecked();
  await box.check();
  await expect(page.getByTestId("toast").filter({ hasText: `‘${group}’에 담았습니다` })).toBeVisible();
  await expect(box).toBeChecked();
  if (shotName) await shot(page, shotName);
  await dialog.getByRole("button", { name: "닫기" }).click();
  await expect(dialog).toBeHidden();
}

function rowCodes(page: Page): Promise<(string | null)[]> {
  return page
    .getByTestId("watch-items")
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-code")));
}

for (const size of SIZES) {
  test(`관심종목 ${size.name} ${size.width}×${size.height}: group, add, live prices, reorder, 초성 search`, async ({ browser }) => {
    test.setTimeout(150_000);
    const page = await login(browser, size);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const groupName = size.name === "phone" ? "폰 관심" : "데스크톱 관심";

    // 1. A new group on 관심 (the phone's tab bar leads there; the desktop has the URL).
    if (size.name === "phone") await page.getByRole("navigation", { name: "하단 메뉴" }).getByRole("link", { name: "관심" }).click();
    else await page.goto("/watch");
    await expect(page.getByRole("heading", { name: "관심종목" })).toBeVisible();
    const board = page.getByTestId("watch-board");
    const newButton = board.getByRole("button", { name: /새 그룹/ });
    if (await newButton.isVisible()) await newButton.click(); // with no group yet the form is already open
    const form = board.getByRole("form", { name: "새 그룹" });
    await form.getByLabel("그룹 이름").fill(groupName);
    await form.getByRole("button", { name: "만들기" }).click();
    const tab = board.getByRole("tab", { name: new RegExp(groupName) });
    await expect(tab).toHaveAttribute("aria-selected", "true");
    await expect(board.getByText(/담긴 종목이 없습니다/)).toBeVisible();
    await shot(page, `${size.name}-empty-group`);

    // 2. 005930 from the symbol page's header.
    await page.goto("/symbols/005930");
    const header = page.getByTestId("quote-header");
    await expect(header.getByRole("heading", { name: /삼성전자/ })).toBeVisible();
    await addVia(page, header.getByRole("button", { name: "삼성전자 관심종목에 담기" }), "삼성전자", groupName, `${size.name}-picker`);
    await expect(header.getByTestId("watch-add")).toHaveAttribute("data-watched", "true");
    await shot(page, `${size.name}-symbol-watched`);

    // 3. 000660 from the search results, found by its 줄임말; then 초성 ㅅㅅ finds 삼성전자.
    await page.goto("/");
    const table = page.getByTestId("symbol-table");
    await expect(table.locator('tr[data-code="005930"]')).toBeVisible();
    const search = page.getByRole("searchbox", { name: "종목코드 또는 종목명 검색" });
    await search.fill("하닉");
    await expect(table.locator("tbody tr").first()).toHaveAttribute("data-code", "000660");
    await addVia(page, table.locator('tr[data-code="000660"]').getByRole("button", { name: "SK하이닉스 관심종목에 담기" }), "SK하이닉스", groupName);
    await expect(page).toHaveURL(/\/$/); // the ♡ did not open the symbol
    await search.fill("ㅅㅅ");
    const first = table.locator("tbody tr").first();
    await expect(first).toHaveAttribute("data-code", "005930");
    await expect(first.locator("mark")).toHaveText("삼성");
    const names = await table.locator("tbody tr td.col-name a").allTextContents();
    expect(names).toContain("삼성전자");
    expect(names).toContain("삼성바이오로직스");
    for (const name of names) expect(choseong(name).replace(/[^ㅅ]/g, "").length, name).toBeGreaterThanOrEqual(2);
    await shot(page, `${size.name}-search-choseong`);
    await search.fill("삼ㅈ");
    await expect(table.locator("tbody tr").first()).toHaveAttribute("data-code", "005930");
    await search.fill("0006");
    await expect(table.locator("tbody tr").first()).toHaveAttribute("data-code", "000660");

    // Sorting: 등락률 high to low, then (second click) low to high.
    await search.fill("");
    const rate = table.getByRole("columnheader", { name: /^등락률/ });
    await rate.getByRole("button").click();
    await expect(rate).toHaveAttribute("aria-sort", "descending");
    const rates = async () =>
      (await table.locator("tbody tr td.col-rate").allTextContents()).filter((t) => t !== "-").map((t) => Number(t.replace(/[%+]/g, "")));
    const down = await rates();
    expect(down.length).toBeGreaterThan(5);
    // Live quotes can re-rank rows between two reads; each read is in order.
    expect(down).toEqual([...down].sort((a, b) => b - a));
    await rate.getByRole("button").click();
    await expect(rate).toHaveAttribute("aria-sort", "ascending");
    const up = await rates();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    await shot(page, `${size.name}-sorted`);

    // 4. Both on 관심, with prices from the live stream.
    await page.goto("/watch");
    await board.getByRole("tab", { name: new RegExp(groupName) }).click();
    await expect.poll(() => rowCodes(page)).toEqual(["005930", "000660"]);
    const price = (code: string) => page.getByTestId("watch-items").locator(`tr[data-code="${code}"]`).getByTestId("watch-price");
    await expect(price("005930")).toHaveAttribute("data-live", "stream");
    await expect(price("000660")).toHaveAttribute("data-live", "stream");
    expect(Number((await price("005930").textContent())?.replace(/[^0-9]/g, ""))).toBeGreaterThan(0);
    // …and they move: the synthetic market trades 삼성전자 and SK하이닉스 every few seconds.
    const stamps = async () => Promise.all(["005930", "000660"].map((c) => price(c).getAttribute("data-quote-time")));
    const before = await stamps();
    await expect.poll(async () => (await stamps()).some((s, i) => s !== before[i]), { timeout: 60_000 }).toBe(true);
    await shot(page, `${size.name}-watch`);

    // 5. Reorder under 편집: by mouse, then by keyboard on the focused button; the server keeps it.
    await board.getByRole("button", { name: "편집" }).click();
    await board.getByRole("button", { name: "SK하이닉스 위로" }).click();
    await expect.poll(() => rowCodes(page)).toEqual(["000660", "005930"]);
    await expect(board.getByRole("button", { name: "SK하이닉스 아래로" })).toBeFocused(); // at the top: the other arrow
    await page.keyboard.press("Enter");
    await expect.poll(() => rowCodes(page)).toEqual(["005930", "000660"]);
    await expect(board.getByRole("button", { name: "SK하이닉스 위로" })).toBeFocused();
    await page.keyboard.press("Space");
    await expect.poll(() => rowCodes(page)).toEqual(["000660", "005930"]);
    await expect.poll(async () => (await serverGroup(page, groupName))?.items.map((i) => i.code)).toEqual(["000660", "005930"]);
    await shot(page, `${size.name}-watch-edit`);
    await page.reload();
    await expect.poll(() => rowCodes(page)).toEqual(["000660", "005930"]);

    // 6. Remove one, then delete the group (after confirming).
    await board.getByRole("button", { name: "편집" }).click();
    await board.getByRole("button", { name: "SK하이닉스 삭제" }).click();
    await expect.poll(() => rowCodes(page)).toEqual(["005930"]);
    await board.getByTestId("group-tools").getByRole("button", { name: "그룹 삭제" }).click();
    const confirm = page.getByRole("dialog", { name: "그룹 삭제" });
    await expect(confirm).toContainText(`‘${groupName}’ 그룹을 삭제할까요?`);
    await shot(page, `${size.name}-delete-confirm`);
    await confirm.getByRole("button", { name: "삭제" }).click();
    await expect(board.getByRole("tab", { name: new RegExp(groupName) })).toHaveCount(0);
    await expect.poll(() => serverGroup(page, groupName)).toBeUndefined();
    // 최근 본 종목 stays on 관심.
    await expect(page.getByTestId("recent-symbols").locator("li").first()).toContainText("005930");

    expect(errors).toEqual([]);
    await page.close();
  });
}
