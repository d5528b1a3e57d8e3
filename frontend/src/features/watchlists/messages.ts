import { useCallback } from "react";

import { type JosaPair, withJosa } from "@/lib/hangul";
import { type Language, useUiStore } from "@/stores/ui";

/**
 * The 관심종목 screens' text, Korean by default, in the shape of lib/i18n.ts (kept here while this
 * feature is new). `{name}` is filled from the values; `{name|을/를}` adds the particle the value's
 * last sound takes (삼성전자를, 삼성물산을).
 */
const messages = {
  "watch.title": { ko: "관심종목", en: "Watchlists" },
  "watch.groups": { ko: "관심 그룹", en: "Groups" },
  "watch.newGroup": { ko: "새 그룹", en: "New group" },
  "watch.groupName": { ko: "그룹 이름", en: "Group name" },
  "watch.create": { ko: "만들기", en: "Create" },
  "watch.createAndAdd": { ko: "만들고 담기", en: "Create and add" },
  "watch.edit": { ko: "편집", en: "Edit" },
  "watch.done": { ko: "완료", en: "Done" },
  "watch.rename": { ko: "이름 변경", en: "Rename" },
  "watch.deleteGroup": { ko: "그룹 삭제", en: "Delete group" },
  "watch.deleteConfirm": {
    ko: "‘{name}’ 그룹을 삭제할까요? 담긴 종목 {count}개도 함께 빠집니다.",
    en: "Delete the group ‘{name}’ and the {count} symbols in it?",
  },
  "watch.delete": { ko: "삭제", en: "Delete" },
  "watch.groupLeft": { ko: "그룹을 앞으로", en: "Move group left" },
  "watch.groupRight": { ko: "그룹을 뒤로", en: "Move group right" },
  "watch.moveUp": { ko: "{name} 위로", en: "Move {name} up" },
  "watch.moveDown": { ko: "{name} 아래로", en: "Move {name} down" },
  "watch.remove": { ko: "{name} 삭제", en: "Remove {name}" },
  "watch.removeShort": { ko: "삭제", en: "Remove" },
  "watch.removedShort": { ko: "{name} 삭제됨", en: "{name} removed" },
  "watch.moved": { ko: "{name} {n}번째", en: "{name}: now {n}" },
  "watch.order": { ko: "순서", en: "Order" },
  "watch.count": { ko: "{count}종목", en: "{count} symbols" },
  "watch.noGroups": {
    ko: "관심 그룹이 없습니다. 그룹을 만들고 종목을 담아 보세요.",
    en: "No groups yet. Create one and add symbols to it.",
  },
  "watch.emptyGroup": {
    ko: "담긴 종목이 없습니다. 종목 화면이나 종목 검색 결과의 ♡ 버튼으로 담을 수 있습니다.",
    en: "No symbols here yet. Add them with ♡ on a symbol's page or in the search results.",
  },
  "watch.search": { ko: "종목 검색으로", en: "Go to symbol search" },
  "watch.add": { ko: "관심", en: "Watch" },
  "watch.addLabel": { ko: "{name} 관심종목에 담기", en: "Add {name} to a watchlist" },
  "watch.addTitle": { ko: "{name} 관심종목", en: "Watch {name}" },
  "watch.pickGroups": { ko: "담을 그룹을 고르세요", en: "Choose the groups" },
  "watch.close": { ko: "닫기", en: "Close" },
  "watch.open": { ko: "관심종목 화면", en: "Open watchlists" },
  "watch.added": { ko: "{name|을/를} ‘{group}’에 담았습니다", en: "Added {name} to ‘{group}’" },
  "watch.removed": { ko: "{name|을/를} ‘{group}’에서 뺐습니다", en: "Removed {name} from ‘{group}’" },
  "watch.inGroups": { ko: "{count}개 그룹에 담김", en: "in {count} groups" },
} as const satisfies Record<string, Record<Language, string>>;

export type WatchMessageKey = keyof typeof messages;

export function translateWatch(language: Language, key: WatchMessageKey, values: Record<string, string | number> = {}): string {
  return messages[key][language].replace(/\{(\w+)(?:\|([^}]+))?\}/g, (_, name: string, josa?: string) => {
    const value = String(values[name] ?? `{${name}}`);
    return josa ? withJosa(value, josa as JosaPair) : value;
  });
}

export function useWatchT(): (key: WatchMessageKey, values?: Record<string, string | number>) => string {
  const language = useUiStore((state) => state.language);
  return useCallback((key: WatchMessageKey, values?: Record<string, string | number>) => translateWatch(language, key, values), [language]);
}
