import { describe, expect, it } from "vitest";

import { choseong, decompose, isChoseong, matchHangul, rankSymbol, searchSymbols, withJosa } from "./hangul";

// Hand-worked: 삼 is U+C0BC; 0xC0BC − 0xAC00 = 5308 = 9·588 + 0·28 + 16 → 초성 #9 ㅅ, 중성 #0 ㅏ, 종성 #16 ㅁ.
// 가 is the first syllable (0, 0, 0); 힣 the last (18 ㅎ, 20 ㅣ, 27 ㅎ).
describe("decompose", () => {
  it("splits precomposed syllables into 초성, 중성 and 종성", () => {
    expect(decompose("삼")).toEqual({ cho: "ㅅ", jung: "ㅏ", jong: "ㅁ" });
    expect(decompose("가")).toEqual({ cho: "ㄱ", jung: "ㅏ", jong: "" });
    expect(decompose("힣")).toEqual({ cho: "ㅎ", jung: "ㅣ", jong: "ㅎ" });
    expect(decompose("닭")).toEqual({ cho: "ㄷ", jung: "ㅏ", jong: "ㄺ" });
    // (초성 8 ㅃ · 21 + 중성 15 ㅞ) · 28 + 종성 9 ㄺ
    expect(decompose(String.fromCharCode(0xac00 + (8 * 21 + 15) * 28 + 9))).toEqual({ cho: "ㅃ", jung: "ㅞ", jong: "ㄺ" });
  });

  it("leaves everything else alone", () => {
    expect(decompose("ㅅ")).toBeNull();
    expect(decompose("A")).toBeNull();
    expect(decompose("5")).toBeNull();
    expect(decompose("")).toBeNull();
  });
});

describe("choseong", () => {
  it("reads the 초성 of each syllable and keeps other characters", () => {
    expect(choseong("삼성전자")).toBe("ㅅㅅㅈㅈ");
    expect(choseong("SK하이닉스")).toBe("SKㅎㅇㄴㅅ");
    expect(choseong("LG에너지솔루션")).toBe("LGㅇㄴㅈㅅㄹㅅ");
    expect(choseong("KT&G")).toBe("KT&G");
    expect(choseong("까치 뜰")).toBe("ㄲㅊ ㄸ");
  });

  it("composes decomposed (NFD) input first", () => {
    expect(choseong("삼성".normalize("NFD"))).toBe("ㅅㅅ");
  });

  it("knows which jamo can begin a syllable", () => {
    expect(isChoseong("ㄲ")).toBe(true);
    expect(isChoseong("ㅎ")).toBe(true);
    expect(isChoseong("ㄳ")).toBe(false); // only a 종성
    expect(isChoseong("ㅏ")).toBe(false);
  });
});

describe("matchHangul", () => {
  it("matches 초성 at the start of the name", () => {
    expect(matchHangul("ㅅㅅ", "삼성전자")).toEqual({ kind: "prefix", indices: [0, 1] });
    expect(matchHangul("ㅅㅅㅈㅈ", "삼성전자")).toEqual({ kind: "prefix", indices: [0, 1, 2, 3] });
  });

  it("matches 초성 and syllables mixed", () => {
    expect(matchHangul("ㅅ성", "삼성전자")).toEqual({ kind: "prefix", indices: [0, 1] });
    expect(matchHangul("삼ㅅㅈ", "삼성전자")).toEqual({ kind: "prefix", indices: [0, 1, 2] });
  });

  it("matches a 줄임말 spread over the name, from the start of a word", () => {
    expect(matchHangul("삼ㅈ", "삼성전자")).toEqual({ kind: "spread", indices: [0, 2] });
    expect(matchHangul("삼전", "삼성전자")).toEqual({ kind: "spread", indices: [0, 2] });
    // 하 begins a word in SK하이닉스: the script changes there.
    expect(matchHangul("하닉", "SK하이닉스")).toEqual({ kind: "spread", indices: [2, 4] });
    // ...but 닉 does not begin one, so a 줄임말 cannot start there.
    expect(matchHangul("닉ㅅ", "SK하이닉스")).toEqual({ kind: "infix", indices: [4, 5] });
    expect(matchHangul("이스", "SK하이닉스")).toBeNull();
  });

  it("tells a word start from the middle of a word", () => {
    expect(matchHangul("ㅎㅇㄴㅅ", "SK하이닉스")).toEqual({ kind: "word", indices: [2, 3, 4, 5] });
    expect(matchHangul("전자", "LG 전자")).toEqual({ kind: "word", indices: [3, 4] }); // indices into the name as given
    expect(matchHangul("ㅈㅈ", "삼성전자")).toEqual({ kind: "infix", indices: [2, 3] });
  });

  it("prefers an unbroken match over a spread one, and the earliest, best kind", () => {
    // 삼성전자: 삼 then ㅈ also fits spread (삼·전), but 삼성 fits unbroken at the start.
    expect(matchHangul("삼ㅅ", "삼성전자")).toEqual({ kind: "prefix", indices: [0, 1] });
    // ㅅㅈ: unbroken 성전 in the middle (infix) wins over a spread 삼…전 from the start.
    expect(matchHangul("ㅅㅈ", "삼성전자")).toEqual({ kind: "infix", indices: [1, 2] });
    // 전: infix at 2 in 삼성전자; word at 2 in LG전자.
    expect(matchHangul("전", "삼성전자")).toEqual({ kind: "infix", indices: [2] });
    expect(matchHangul("전", "LG전자")).toEqual({ kind: "word", indices: [2] });
  });

  it("follows an IME that is still composing the last syllable", () => {
    // 사 on the way to 삼
    expect(matchHangul("사", "삼성전자")).toEqual({ kind: "prefix", indices: [0] });
    // 삼성저 on the way to 삼성전
    expect(matchHangul("삼성저", "삼성전자")).toEqual({ kind: "prefix", indices: [0, 1, 2] });
    // 삼성전 + ㅈ shows as 삼성젅 (ㄴ+ㅈ = ㄵ) until the ㅏ of 자 arrives
    expect(matchHangul("삼성젅", "삼성전자")).toEqual({ kind: "prefix", indices: [0, 1, 2, 3] });
    // 호 on the way to 화 (ㅗ + ㅏ = ㅘ)
    expect(matchHangul("LG호", "LG화학")).toEqual({ kind: "prefix", indices: [0, 1, 2] });
    // 한 on the way to 하 + 나 (the ㄴ moves to the next syllable): 하나금융
    expect(matchHangul("한", "하나금융")).toEqual({ kind: "prefix", indices: [0, 1] });
    // 살 + ㅁ → 삶: a 종성 the next key makes compound (ㄹ + ㅁ = ㄻ); 삼 is not on the way there
    expect(matchHangul("살", "삶")).toEqual({ kind: "prefix", indices: [0] });
    expect(matchHangul("삼", "삶")).toBeNull();
  });

  it("is strict about every syllable but the last", () => {
    expect(matchHangul("사성", "삼성전자")).toBeNull();
    expect(matchHangul("저자", "삼성전자")).toBeNull();
    expect(matchHangul("ㄱ", "까치")).toBeNull(); // ㄱ and ㄲ are different keys
    expect(matchHangul("ㅅㅅ", "셀트리온")).toBeNull();
  });

  it("ignores spaces and letter case, and matches nothing for an empty query", () => {
    expect(matchHangul("삼성 전자", "삼성전자")).toEqual({ kind: "prefix", indices: [0, 1, 2, 3] });
    expect(matchHangul("sk", "SK하이닉스")).toEqual({ kind: "prefix", indices: [0, 1] });
    expect(matchHangul("sdi", "삼성SDI")).toEqual({ kind: "word", indices: [2, 3, 4] });
    expect(matchHangul("  ", "삼성전자")).toBeNull();
  });

  it("spreads only Korean queries", () => {
    expect(matchHangul("se", "Samsung Electronics")).toBeNull();
    expect(matchHangul("sam", "Samsung Electronics")).toEqual({ kind: "prefix", indices: [0, 1, 2] });
  });
});

const SYMBOLS = [
  { code: "005930", name: "삼성전자", name_en: "Samsung Electronics" },
  { code: "005935", name: "삼성전자우", name_en: "Samsung Electronics Pref" },
  { code: "006400", name: "삼성SDI", name_en: "Samsung SDI" },
  { code: "000660", name: "SK하이닉스", name_en: "SK hynix" },
  { code: "066570", name: "LG전자", name_en: "LG Electronics" },
  { code: "068270", name: "셀트리온", name_en: "Celltrion" },
  { code: "004170", name: "신세계", name_en: "Shinsegae" },
];

const codes = (query: string) => searchSymbols(query, SYMBOLS).map((hit) => hit.symbol.code);

describe("searchSymbols", () => {
  it("finds 삼성전자 and its family by 초성, shortest name first among equals", () => {
    // all four match ㅅㅅ at the start; 신세계 (3) < 삼성전자 (4) < 삼성SDI = 삼성전자우 (5; then by code)
    expect(codes("ㅅㅅ")).toEqual(["004170", "005930", "005935", "006400"]);
    expect(codes("ㅅㅅㅈㅈ")).toEqual(["005930", "005935"]);
  });

  it("puts the exact name first", () => {
    expect(codes("삼성전자")).toEqual(["005930", "005935"]);
  });

  it("matches codes by prefix only", () => {
    expect(codes("0059")).toEqual(["005930", "005935"]);
    expect(codes("005930")).toEqual(["005930"]);
    expect(codes("5930")).toEqual([]);
  });

  it("ranks word starts above the middle of a name, and 줄임말 last", () => {
    // 전자: LG전자 at a word start (rank 4); 삼성전자(우) in the middle (rank 6)
    expect(codes("전자")).toEqual(["066570", "005930", "005935"]);
    expect(codes("삼ㅈ")).toEqual(["005930", "005935"]);
    expect(codes("하닉")).toEqual(["000660"]);
  });

  it("falls back to the English name", () => {
    expect(codes("hynix")).toEqual(["000660"]);
    expect(codes("celltrion")).toEqual(["068270"]);
    // 'elec' begins a word of three English names; none of the Korean names has it
    expect(codes("elec")).toEqual(["005930", "066570", "005935"]);
  });

  it("reports the rank and the name's matched characters for highlighting", () => {
    expect(rankSymbol("005930", SYMBOLS[0])).toMatchObject({ rank: 0 });
    expect(rankSymbol("삼성전자", SYMBOLS[0])).toMatchObject({ rank: 1, name: { kind: "prefix", indices: [0, 1, 2, 3] } });
    expect(rankSymbol("ㅅㅅ", SYMBOLS[0])).toMatchObject({ rank: 3, name: { indices: [0, 1] } });
    expect(rankSymbol("hynix", SYMBOLS[3])).toMatchObject({ rank: 5, name: null });
    expect(rankSymbol("삼전", SYMBOLS[0])).toMatchObject({ rank: 8, name: { kind: "spread", indices: [0, 2] } });
    expect(rankSymbol("", SYMBOLS[0])).toBeNull();
  });
});

describe("withJosa", () => {
  it("picks the particle by the last syllable's 종성", () => {
    expect(withJosa("삼성전자", "을/를")).toBe("삼성전자를");
    expect(withJosa("삼성물산", "을/를")).toBe("삼성물산을");
    expect(withJosa("관심종목", "이/가")).toBe("관심종목이");
    expect(withJosa("카카오", "은/는")).toBe("카카오는");
    expect(withJosa("셀트리온", "과/와")).toBe("셀트리온과");
  });

  it("takes 로 after a vowel or ㄹ, 으로 after any other 종성", () => {
    expect(withJosa("하이브", "으로/로")).toBe("하이브로");
    expect(withJosa("1번째 그룹", "으로/로")).toBe("1번째 그룹으로");
    expect(withJosa("서울", "으로/로")).toBe("서울로");
  });

  it("reads capitals and digits as Koreans do, and writes both forms otherwise", () => {
    expect(withJosa("LG", "을/를")).toBe("LG를"); // 엘지
    expect(withJosa("HMM", "을/를")).toBe("HMM을"); // 에이치엠엠
    expect(withJosa("HLB", "으로/로")).toBe("HLB로"); // …비
    expect(withJosa("HDL", "으로/로")).toBe("HDL로"); // …엘: ㄹ
    expect(withJosa("관심 3", "이/가")).toBe("관심 3이"); // 삼
    expect(withJosa("JYP Ent.", "을/를")).toBe("JYP Ent.을(를)");
  });
});
