import { describe, expect, it } from "vitest";

import { messageKeys, translate } from "./i18n";

describe("translate", () => {
  it("fills placeholders, with the particle the value takes", () => {
    expect(translate("ko", "watch.added", { name: "삼성전자", group: "반도체" })).toBe("삼성전자를 ‘반도체’에 담았습니다");
    expect(translate("ko", "watch.added", { name: "삼성물산", group: "지주" })).toBe("삼성물산을 ‘지주’에 담았습니다");
    expect(translate("en", "watch.added", { name: "Samsung", group: "Chips" })).toBe("Added Samsung to ‘Chips’");
  });

  it("leaves a placeholder it has no value for, and a text without values as written", () => {
    expect(translate("ko", "watch.count", {})).toBe("{count}종목");
    expect(translate("en", "nav.dashboard")).toBe("Dashboard");
  });

  it("has the same placeholders in both languages for every key", () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)(?:\|[^}]+)?\}/g)].map((m) => m[1]).sort();
    const mismatched = messageKeys.filter((key) => names(translate("ko", key)).join() !== names(translate("en", key)).join());
    expect(mismatched).toEqual([]);
  });

  it("has an English text for every key", () => {
    // Korean and English may agree (OCO, %), but English never carries Hangul.
    expect(messageKeys.filter((key) => /[\uac00-\ud7a3]/.test(translate("en", key)))).toEqual([]);
  });
});
