import { describe, expect, it } from "vitest";

import type { Activity } from "./api/history";
import { activitiesCsv, BOM, csvBlob, csvCell, csvFilename, csvText, journalCsv } from "./csv";
import type { JournalFill } from "./journal";

describe("csvCell", () => {
  it("quotes what RFC 4180 says to quote", () => {
    expect(csvCell("삼성전자")).toBe("삼성전자");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });

  it("keeps numbers numbers and defuses formulas in text", () => {
    expect(csvCell(-12_846)).toBe("-12846");
    expect(csvCell(0)).toBe("0");
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("-1+2")).toBe("'-1+2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("005930")).toBe("005930");
  });
});

/** jsdom's Blob has no arrayBuffer(); its FileReader reads one. */
const bytesOf = (blob: Blob) =>
  new Promise<Uint8Array>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });

describe("csvText", () => {
  it("starts with a BOM and ends every line with CRLF", () => {
    const text = csvText(["종목명", "수량"], [["삼성전자", 3], ["A, B", null]]);
    expect(text).toBe(`${BOM}종목명,수량\r\n삼성전자,3\r\n"A, B",\r\n`);
  });

  it("is written as UTF-8 with the BOM's three bytes first", async () => {
    const bytes = await bytesOf(csvBlob(csvText(["종목명"], [["삼성전자"]])));
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // 종 is U+C885: EC A2 85 in UTF-8
    expect([...bytes.slice(3, 6)]).toEqual([0xec, 0xa2, 0x85]);
    expect(csvBlob("").type).toBe("text/csv;charset=utf-8");
  });
});

describe("journalCsv", () => {
  const fill: JournalFill = {
    trade: 5,
    order: 105,
    time: "2026-12-02T05:03:27.250000Z",
    day: "2026-12-02",
    symbol: "005930",
    symbolName: "삼성전자",
    side: "sell",
    quantity: 4,
    price: 72_000,
    amount: 288_000,
    commission: 43,
    tax: 5_184,
    net: 282_773,
    realized: 2_640,
  };

  it("has Korean headers and one line per fill, times in Seoul with seconds", () => {
    const lines = journalCsv([fill, { ...fill, trade: 6, side: "buy", time: "2026-12-02T15:00:05Z", day: "2026-12-03", realized: -43 }]).split("\r\n");
    expect(lines[0]).toBe(`${BOM}체결일자,체결시각,종목코드,종목명,매매구분,체결단가,체결수량,체결금액,수수료,제세금,정산금액,실현손익,주문번호,체결번호`);
    expect(lines[1]).toBe("2026-12-02,14:03:27,005930,삼성전자,매도,72000,4,288000,43,5184,282773,2640,105,5");
    expect(lines[2]).toBe("2026-12-03,00:00:05,005930,삼성전자,매수,72000,4,288000,43,5184,282773,-43,105,6");
    expect(lines[3]).toBe("");
  });
});

describe("activitiesCsv", () => {
  const activity: Activity = {
    id: "settlement:2026-12-01",
    type: "settlement",
    time: "2026-12-03T00:00:00+09:00",
    amount: -1_050_657,
    balance_after: null,
    symbol: null,
    symbol_name: null,
    side: null,
    quantity: null,
    price: null,
    order: null,
    trade: null,
    note: "2건",
    trade_date: "2026-12-01",
    settlement_date: "2026-12-03",
  };

  it("labels each kind in Korean and leaves what does not apply empty", () => {
    const fill: Activity = { ...activity, id: "fill:3", type: "fill", time: "2026-12-01T00:00:01.000100Z", amount: -700_000, symbol: "005930", symbol_name: "삼성전자", side: "buy", quantity: 10, price: 70_000, order: 103, trade: 3, note: "", trade_date: null, settlement_date: null };
    const lines = activitiesCsv([activity, fill, { ...activity, id: "cash:1", type: "deposit", amount: 5_000_000, balance_after: 105_000_000, note: "Deposit", trade_date: null, settlement_date: null }]).split("\r\n");
    expect(lines[0]).toBe(`${BOM}일시,구분,종목코드,종목명,매매구분,수량,단가,금액,잔액,매매일,결제일,비고`);
    expect(lines[1]).toBe("2026-12-03 00:00:00,결제,,,,,,-1050657,,2026-12-01,2026-12-03,2건");
    expect(lines[2]).toBe("2026-12-01 09:00:01,체결,005930,삼성전자,매수,10,70000,-700000,,,,");
    expect(lines[3]).toBe("2026-12-03 00:00:00,입금,,,,,,5000000,105000000,,,입금");
  });
});

describe("csvFilename", () => {
  it("names the file by what, account and days, without characters a file system refuses", () => {
    expect(csvFilename("매매일지", "기본 계좌", { from: "2026-11-26", to: "2026-12-03" })).toBe("매매일지_기본 계좌_20261126-20261203.csv");
    expect(csvFilename("거래내역", 'a/b:c*"d', { from: "2026-12-03", to: "2026-12-03" })).toBe("거래내역_a_b_c__d_20261203-20261203.csv");
  });
});
