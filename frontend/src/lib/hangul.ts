/**
 * 한글 search as an MTS user types it: 초성 (ㅅㅅㅈㅈ → 삼성전자), syllables and 초성 mixed (ㅅ성,
 * 삼ㅈ), 줄임말 whose syllables are spread over the name (삼전 → 삼성전자, 하닉 → SK하이닉스), and the
 * half-typed last syllable of an IME that is still composing (사 → 삼…, 삼성젅 → 삼성전자).
 * Codes match by prefix. Pure functions over strings; no locale data.
 */

const SYLLABLE_FIRST = 0xac00;
const SYLLABLE_LAST = 0xd7a3;
const JUNG_COUNT = 21;
const JONG_COUNT = 28;

/** The 19 초성 in Unicode order, as compatibility jamo (what a keyboard types alone). */
export const CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
const JUNGSEONG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ";
/** The 27 종성 (index 0: none). */
const JONGSEONG = ["", ..."ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"];

/** Compound 종성 and the two consonants a 두벌식 keyboard types them from. */
const JONG_CLUSTER: Record<string, [string, string]> = {
  ㄳ: ["ㄱ", "ㅅ"],
  ㄵ: ["ㄴ", "ㅈ"],
  ㄶ: ["ㄴ", "ㅎ"],
  ㄺ: ["ㄹ", "ㄱ"],
  ㄻ: ["ㄹ", "ㅁ"],
  ㄼ: ["ㄹ", "ㅂ"],
  ㄽ: ["ㄹ", "ㅅ"],
  ㄾ: ["ㄹ", "ㅌ"],
  ㄿ: ["ㄹ", "ㅍ"],
  ㅀ: ["ㄹ", "ㅎ"],
  ㅄ: ["ㅂ", "ㅅ"],
};

/** Vowels a further keystroke turns into another (ㅗ + ㅏ → ㅘ): a half-typed syllable still matches. */
const VOWEL_GROWS_INTO: Record<string, string> = { ㅗ: "ㅘㅙㅚ", ㅘ: "ㅙ", ㅜ: "ㅝㅞㅟ", ㅝ: "ㅞ", ㅡ: "ㅢ" };

export interface Syllable {
  /** 초성, 중성 and 종성 as compatibility jamo; `jong` is "" when the syllable has none. */
  cho: string;
  jung: string;
  jong: string;
}

/** The parts of one precomposed 한글 syllable, or null for any other character. */
export function decompose(char: string): Syllable | null {
  const code = char.codePointAt(0);
  if (code === undefined || code < SYLLABLE_FIRST || code > SYLLABLE_LAST || char.length !== 1) return null;
  const index = code - SYLLABLE_FIRST;
  return {
    cho: CHOSEONG[Math.floor(index / (JUNG_COUNT * JONG_COUNT))],
    jung: JUNGSEONG[Math.floor((index % (JUNG_COUNT * JONG_COUNT)) / JONG_COUNT)],
    jong: JONGSEONG[index % JONG_COUNT],
  };
}

/** Whether `char` is a consonant that can begin a syllable, typed alone (ㄱ … ㅎ, ㄲ ㄸ ㅃ ㅆ ㅉ). */
export function isChoseong(char: string): boolean {
  return char.length === 1 && CHOSEONG.includes(char);
}

/** The 초성 of every syllable; other characters stay as they are: 삼성전자 → ㅅㅅㅈㅈ, SK하이닉스 → SKㅎㅇㄴㅅ. */
export function choseong(text: string): string {
  let out = "";
  for (const char of text.normalize("NFC")) out += decompose(char)?.cho ?? char;
  return out;
}

type Script = "hangul" | "latin" | "digit" | "other";

function scriptOf(char: string): Script {
  if (decompose(char) || /[\u3131-\u318e]/.test(char)) return "hangul";
  if (/[0-9]/.test(char)) return "digit";
  if (/\p{L}/u.test(char)) return "latin";
  return "other";
}

/** A query without spaces, composed (macOS input can arrive decomposed). */
export function normalizeQuery(query: string): string {
  return query.normalize("NFC").replace(/\s+/g, "");
}

/**
 * How many characters of `target` from `at` the query character `q` covers (0: no match).
 * `last`: the query's last character, which an IME may still be composing.
 */
function unitLength(q: string, last: boolean, target: readonly string[], at: number): number {
  const t = target[at];
  if (t === undefined) return 0;
  if (isChoseong(q)) return t === q || decompose(t)?.cho === q ? 1 : 0;
  const qs = decompose(q);
  if (!qs) return q.toLowerCase() === t.toLowerCase() ? 1 : 0;
  if (q === t) return 1;
  if (!last) return 0;
  const ts = decompose(t);
  if (!ts || ts.cho !== qs.cho) return 0;
  if (!qs.jong) return ts.jung === qs.jung || VOWEL_GROWS_INTO[qs.jung]?.includes(ts.jung) ? 1 : 0;
  if (ts.jung !== qs.jung) return 0;
  // 삼ㄹ → 삶: a 종성 the next keystroke makes compound.
  if (JONG_CLUSTER[ts.jong]?.[0] === qs.jong) return 1;
  // 저 + ㄴ shows as 전 until the vowel of the next syllable moves the ㄴ over (전 → 저녁); likewise
  // a compound 종성 splits (젅 → 전자).
  const [stays, moves] = JONG_CLUSTER[qs.jong] ?? ["", qs.jong];
  if (ts.jong !== stays || !isChoseong(moves)) return 0;
  const next = target[at + 1];
  return next !== undefined && (next === moves || decompose(next)?.cho === moves) ? 2 : 0;
}

/** Where a query matched: the target's character indices it covers, and how. */
export interface HangulMatch {
  /**
   * prefix: from the first character, unbroken; word: unbroken from the start of a word (after a
   * space or a change of script, as 하 in SK하이닉스); infix: unbroken elsewhere; spread: from a
   * word's start with gaps, as a 줄임말 (삼전 → 삼성전자).
   */
  kind: "prefix" | "word" | "infix" | "spread";
  /** Indices into `target` (as given), ascending. */
  indices: number[];
}

const KIND_ORDER: Record<HangulMatch["kind"], number> = { prefix: 0, word: 1, infix: 2, spread: 3 };

/**
 * The best match of `query` in `target`, or null. Spaces are ignored on both sides; letters
 * compare case-insensitively. `spread` matches are tried only for queries with 한글 (줄임말 are a
 * Korean habit; letters spread over an English name match too much).
 */
export function matchHangul(query: string, target: string): HangulMatch | null {
  const units = [...normalizeQuery(query)];
  if (!units.length) return null;
  const chars: string[] = [];
  const origin: number[] = [];
  const wordStart: boolean[] = [];
  const text = target.normalize("NFC");
  let previous: string | null = null;
  let afterBreak = true;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (/\s/.test(char)) {
      afterBreak = true;
      continue;
    }
    const script = scriptOf(char);
    wordStart.push(afterBreak || previous === null || scriptOf(previous) !== script || script === "other");
    chars.push(char);
    origin.push(i);
    previous = char;
    afterBreak = script === "other";
  }

  const unbrokenAt = (start: number): number[] | null => {
    const covered: number[] = [];
    let at = start;
    for (let u = 0; u < units.length; u += 1) {
      const length = unitLength(units[u], u === units.length - 1, chars, at);
      if (!length) return null;
      for (let k = 0; k < length; k += 1) covered.push(at + k);
      at += length;
    }
    return covered;
  };
  const spreadFrom = (start: number): number[] | null => {
    const covered: number[] = [];
    let at = start;
    for (let u = 0; u < units.length; u += 1) {
      const last = u === units.length - 1;
      let length = unitLength(units[u], last, chars, at);
      // The first unit is pinned to the word's start; later ones take the earliest place that fits.
      while (!length && u > 0 && at < chars.length - 1) {
        at += 1;
        length = unitLength(units[u], last, chars, at);
      }
      if (!length) return null;
      for (let k = 0; k < length; k += 1) covered.push(at + k);
      at += length;
    }
    return covered;
  };

  let best: HangulMatch | null = null;
  for (let start = 0; start < chars.length; start += 1) {
    const covered = unbrokenAt(start);
    if (!covered) continue;
    const kind = start === 0 ? "prefix" : wordStart[start] ? "word" : "infix";
    if (!best || KIND_ORDER[kind] < KIND_ORDER[best.kind]) best = { kind, indices: covered.map((i) => origin[i]) };
    if (kind === "prefix") break;
  }
  if (best) return best;
  if (units.length < 2 || !units.some((u) => scriptOf(u) === "hangul")) return null;
  for (let start = 0; start < chars.length; start += 1) {
    if (!wordStart[start]) continue;
    const covered = spreadFrom(start);
    if (covered) return { kind: "spread", indices: covered.map((i) => origin[i]) };
  }
  return null;
}

export interface SearchableSymbol {
  code: string;
  name: string;
  name_en?: string;
}

export interface SymbolHit<T extends SearchableSymbol> {
  symbol: T;
  /** Lower is better: 0 the exact code … 8 a 줄임말 of the name. */
  rank: number;
  /** The name's matched characters, for highlighting (null when only the code or English name matched). */
  name: HangulMatch | null;
}

/** Rank of one symbol for a non-empty query, or null when it does not match. */
export function rankSymbol<T extends SearchableSymbol>(query: string, symbol: T): SymbolHit<T> | null {
  const q = normalizeQuery(query);
  if (!q) return null;
  const code = symbol.code.toUpperCase();
  const upper = q.toUpperCase();
  const compact = normalizeQuery(symbol.name).toLowerCase();
  const name = matchHangul(q, symbol.name);
  if (code === upper) return { symbol, rank: 0, name };
  if (name && compact === q.toLowerCase()) return { symbol, rank: 1, name };
  if (code.startsWith(upper)) return { symbol, rank: 2, name };
  if (name && name.kind !== "infix" && name.kind !== "spread") return { symbol, rank: name.kind === "prefix" ? 3 : 4, name };
  const english = symbol.name_en ? matchHangul(q, symbol.name_en) : null;
  if (english && (english.kind === "prefix" || english.kind === "word")) return { symbol, rank: 5, name: null };
  if (name?.kind === "infix") return { symbol, rank: 6, name };
  if (english?.kind === "infix") return { symbol, rank: 7, name: null };
  if (name?.kind === "spread") return { symbol, rank: 8, name };
  return null;
}

const span = (match: HangulMatch | null) => (match ? match.indices[match.indices.length - 1] - match.indices[0] : 0);

/**
 * The symbols matching `query`, best first: by rank, then where and how tightly the name matched,
 * then the shorter name (삼성전자 before 삼성전자우), then the code. An empty query matches none.
 */
export function searchSymbols<T extends SearchableSymbol>(query: string, symbols: readonly T[]): SymbolHit<T>[] {
  const hits: SymbolHit<T>[] = [];
  for (const symbol of symbols) {
    const hit = rankSymbol(query, symbol);
    if (hit) hits.push(hit);
  }
  return hits.sort(
    (a, b) =>
      a.rank - b.rank ||
      (a.name?.indices[0] ?? 0) - (b.name?.indices[0] ?? 0) ||
      span(a.name) - span(b.name) ||
      a.symbol.name.length - b.symbol.name.length ||
      (a.symbol.code < b.symbol.code ? -1 : a.symbol.code > b.symbol.code ? 1 : 0),
  );
}

/** Letters and digits read aloud in Korean, by whether the reading ends in a 종성 (and whether it is ㄹ). */
const READ_WITH_JONG = new Set(["L", "M", "N", "R", "0", "1", "3", "6", "7", "8"]);
const READ_WITH_RIEUL = new Set(["L", "R", "1", "7", "8"]);

/** After a 종성 / after a vowel. */
export type JosaPair = "을/를" | "이/가" | "은/는" | "과/와" | "으로/로";

/**
 * A word with the particle its last sound takes: 삼성전자를, 카카오뱅크를, SK하이닉스를, 삼성물산을,
 * LG로 (엘지), HMM을 (…엠). A capital letter or digit is read as Koreans read it; after anything
 * else (a lower-case word) both forms are written: 을(를).
 */
export function withJosa(word: string, pair: JosaPair): string {
  const [afterJong, afterVowel] = pair.split("/");
  const last = word.trim().slice(-1);
  const syllable = decompose(last);
  let jong: boolean | null = null;
  let rieul = false;
  if (syllable) {
    jong = syllable.jong !== "";
    rieul = syllable.jong === "ㄹ";
  } else if (/[A-Z0-9]/.test(last)) {
    jong = READ_WITH_JONG.has(last);
    rieul = READ_WITH_RIEUL.has(last);
  }
  if (jong === null) return `${word}${afterJong}(${afterVowel})`;
  if (pair === "으로/로") return `${word}${jong && !rieul ? afterJong : afterVowel}`;
  return `${word}${jong ? afterJong : afterVowel}`;
}
