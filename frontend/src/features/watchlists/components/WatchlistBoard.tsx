import { type FormEvent, type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { Dialog } from "@/components/Dialog";
import { FieldError, FormError } from "@/components/FieldError";
import { Change, Price, Signed } from "@/components/Price";
import { QueryState } from "@/components/QueryState";
import { formatKoreanAmount, formatWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useLiveMarket, useQuoteSubscription } from "@/lib/realtime";

import { useGroupQuotes } from "../api/quotes";
import {
  type Watchlist,
  useCreateWatchlist,
  useDeleteWatchlist,
  useRemoveWatchlistSymbol,
  useRenameWatchlist,
  useReorderWatchlists,
  useReorderWatchlistSymbols,
  useWatchlists,
} from "../api/watchlists";
import { codesAfterMove, freeGroupName, idsAfterMove, pickGroup } from "../watchlist";

/**
 * 관심종목: the user's groups as tabs, the chosen group's symbols with live prices, and — under
 * 편집 — new, rename, delete and reorder for groups and ▲ ▼ 빼기 for symbols. The chosen group is
 * in the URL (?group=ID).
 */
export function WatchlistBoard() {
  const t = useT();
  const groups = useWatchlists();
  const [params, setParams] = useSearchParams();
  const wanted = Number(params.get("group")) || null;
  const [editing, setEditing] = useState(false);
  const [creating, setCreating] = useState(false);
  const choose = (id: number) => setParams({ group: String(id) }, { replace: true });

  return (
    <section className="card watch-board" aria-labelledby="watch-title" data-testid="watch-board" data-editing={editing}>
      <div className="card-head">
        <h1 id="watch-title">{t("watch.title")}</h1>
        <span className="spacer" />
        {(groups.data?.length ?? 0) > 0 && (
          <button type="button" className={`btn btn-small${editing ? " btn-primary" : ""}`} aria-pressed={editing} onClick={() => setEditing((e) => !e)}>
            {editing ? t("watch.done") : t("watch.edit")}
          </button>
        )}
      </div>
      <QueryState query={groups}>
        {(list) => {
          const group = pickGroup(list, wanted);
          return (
            <>
              <GroupTabs groups={list} active={group} onChoose={choose} onNew={() => setCreating(true)} />
              {(creating || list.length === 0) && (
                <NewGroupForm
                  groups={list}
                  onCreated={(row) => {
                    setCreating(false);
                    choose(row.id);
                  }}
                  onCancel={list.length ? () => setCreating(false) : undefined}
                />
              )}
              {group && editing && <GroupTools groups={list} group={group} />}
              {group ? (
                <div role="tabpanel" id={`watch-panel-${group.id}`} aria-labelledby={`watch-tab-${group.id}`}>
                  <GroupSymbols group={group} editing={editing} />
                </div>
              ) : (
                <p className="state state-empty">{t("watch.noGroups")}</p>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

/** The groups as a tablist: arrows, Home and End move between them (and show the one reached). */
function GroupTabs({ groups, active, onChoose, onNew }: { groups: Watchlist[]; active: Watchlist | null; onChoose: (id: number) => void; onNew: () => void }) {
  const t = useT();
  const list = useRef<HTMLDivElement>(null);
  const onKeyDown = (event: KeyboardEvent) => {
    const index = groups.findIndex((g) => g.id === active?.id);
    const next =
      event.key === "ArrowRight" ? index + 1 : event.key === "ArrowLeft" ? index - 1 : event.key === "Home" ? 0 : event.key === "End" ? groups.length - 1 : null;
    if (next === null || !groups.length) return;
    event.preventDefault();
    const target = groups[(next + groups.length) % groups.length];
    onChoose(target.id);
    list.current?.querySelector<HTMLElement>(`#watch-tab-${target.id}`)?.focus();
  };
  return (
    <div className="watch-tabs-row">
      {groups.length > 0 && (
        <div ref={list} className="watch-tabs" role="tablist" aria-label={t("watch.groups")} onKeyDown={onKeyDown}>
          {groups.map((group) => {
            const selected = group.id === active?.id;
            return (
              <button
                key={group.id}
                id={`watch-tab-${group.id}`}
                type="button"
                role="tab"
                aria-selected={selected}
                aria-controls={`watch-panel-${group.id}`}
                tabIndex={selected ? 0 : -1}
                className={selected ? "active" : ""}
                data-group-id={group.id}
                onClick={() => onChoose(group.id)}
              >
                {group.name} <span className="watch-tab-count">{group.items.length}</span>
              </button>
            );
          })}
        </div>
      )}
      {groups.length > 0 && (
        <button type="button" className="btn btn-small watch-new" onClick={onNew}>
          ＋ {t("watch.newGroup")}
        </button>
      )}
    </div>
  );
}

function NewGroupForm({ groups, onCreated, onCancel }: { groups: Watchlist[]; onCreated: (row: Watchlist) => void; onCancel?: () => void }) {
  const t = useT();
  const create = useCreateWatchlist();
  const [name, setName] = useState("");
  const suggested = freeGroupName(groups, t("watch.defaultGroup"));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name: name.trim() || suggested }, { onSuccess: onCreated });
  };
  return (
    <form className="watch-form" onSubmit={onSubmit} aria-label={t("watch.newGroup")}>
      {groups.length === 0 && <p className="muted">{t("watch.noGroups")}</p>}
      <label>
        {t("watch.groupName")}
        <input name="name" value={name} maxLength={30} placeholder={suggested} autoFocus={groups.length > 0} onChange={(event) => setName(event.target.value)} />
      </label>
      <button type="submit" className="btn btn-small btn-primary" disabled={create.isPending}>
        {t("watch.create")}
      </button>
      {onCancel && (
        <button type="button" className="btn btn-small btn-ghost" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      )}
      <FieldError error={create.error} name="name" />
      <FormError error={create.error} fields={["name"]} />
    </form>
  );
}

/** 편집 of the chosen group: rename, move left/right among the tabs, delete (confirmed). */
function GroupTools({ groups, group }: { groups: Watchlist[]; group: Watchlist }) {
  const t = useT();
  const rename = useRenameWatchlist();
  const reorder = useReorderWatchlists();
  const remove = useDeleteWatchlist();
  const [name, setName] = useState(group.name);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => setName(group.name), [group.id, group.name]);
  const move = (offset: number) => {
    const ids = idsAfterMove(groups, group.id, offset);
    if (ids) reorder.mutate({ ids });
  };
  const index = groups.findIndex((g) => g.id === group.id);
  const onRename = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() && name.trim() !== group.name) rename.mutate({ id: group.id, name: name.trim() });
  };
  return (
    <div className="watch-tools" data-testid="group-tools">
      <form className="watch-form" onSubmit={onRename}>
        <label>
          {t("watch.groupName")}
          <input name="name" value={name} maxLength={30} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" className="btn btn-small" disabled={rename.isPending || !name.trim() || name.trim() === group.name}>
          {t("watch.rename")}
        </button>
        <FieldError error={rename.error} name="name" />
        <FormError error={rename.error} fields={["name"]} />
      </form>
      <div className="actions">
        <button type="button" className="btn btn-small" disabled={index <= 0} onClick={() => move(-1)} aria-label={t("watch.groupLeft")}>
          ◀ <span className="wide-text">{t("watch.groupLeft")}</span>
        </button>
        <button type="button" className="btn btn-small" disabled={index >= groups.length - 1} onClick={() => move(1)} aria-label={t("watch.groupRight")}>
          <span className="wide-text">{t("watch.groupRight")}</span> ▶
        </button>
        <button type="button" className="btn btn-small btn-danger" onClick={() => setConfirming(true)}>
          {t("watch.deleteGroup")}
        </button>
      </div>
      {confirming && (
        <Dialog title={t("watch.deleteGroup")} onClose={() => setConfirming(false)} testId="group-delete">
          <p>{t("watch.deleteConfirm", { name: group.name, count: group.items.length })}</p>
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              {t("common.cancel")}
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => {
                setConfirming(false);
                remove.mutate({ id: group.id });
              }}
            >
              {t("watch.delete")}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

/** One group's symbols, live; under 편집 each has ▲ ▼ (focus stays on the moved row) and 빼기. */
function GroupSymbols({ group, editing }: { group: Watchlist; editing: boolean }) {
  const t = useT();
  const navigate = useNavigate();
  const codes = group.items.map((item) => item.code);
  useQuoteSubscription(codes);
  const live = useLiveMarket((state) => state.quotes);
  const snapshot = useGroupQuotes(codes);
  const reorder = useReorderWatchlistSymbols();
  const remove = useRemoveWatchlistSymbol();
  const table = useRef<HTMLTableElement>(null);
  // After ▲ ▼ focus stays on the moved row (on the other arrow at either end); after 삭제 it goes to
  // the row that took the removed one's place. It waits for the list to show the change (`codes`).
  const [focusAfter, setFocusAfter] = useState<{ code: string; button: "up" | "down" | "remove"; codes: string } | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const shownCodes = codes.join(",");

  useLayoutEffect(() => {
    if (!focusAfter || focusAfter.codes !== shownCodes) return;
    setFocusAfter(null);
    const row = table.current?.querySelector(`tr[data-code="${focusAfter.code}"]`);
    const wanted = row?.querySelector<HTMLButtonElement>(`button[data-move="${focusAfter.button}"]`);
    const other = row?.querySelector<HTMLButtonElement>(`button[data-move="${focusAfter.button === "up" ? "down" : "up"}"]`);
    (wanted && !wanted.disabled ? wanted : other)?.focus();
  }, [focusAfter, shownCodes]);

  const move = (code: string, name: string, offset: number) => {
    const next = codesAfterMove(group, code, offset);
    if (!next) return;
    reorder.mutate({ id: group.id, codes: next });
    setFocusAfter({ code, button: offset < 0 ? "up" : "down", codes: next.join(",") });
    setAnnouncement(t("watch.moved", { name, n: next.indexOf(code) + 1 }));
  };
  const removeAt = (index: number) => {
    const item = group.items[index];
    const neighbour = group.items[index + 1] ?? group.items[index - 1];
    remove.mutate({ id: group.id, code: item.code });
    const rest = codes.filter((c) => c !== item.code).join(",");
    if (neighbour) setFocusAfter({ code: neighbour.code, button: "remove", codes: rest });
    setAnnouncement(t("watch.removedShort", { name: item.name }));
  };

  if (!group.items.length) {
    return (
      <div className="state state-empty watch-empty">
        <span>{t("watch.emptyGroup")}</span>
        <Link to="/" className="btn btn-small">
          {t("watch.search")}
        </Link>
      </div>
    );
  }
  return (
    <>
      <table ref={table} className="table cards watch-table" data-testid="watch-items" data-group-id={group.id}>
        <thead>
          <tr>
            <th>{t("market.name")}</th>
            <th className="right">{t("market.price")}</th>
            <th className="right">{t("market.change")}</th>
            <th className="right">{t("market.changeRate")}</th>
            <th className="right">{t("market.volume")}</th>
            <th className="right">{t("market.value")}</th>
            {editing && <th className="right">{t("watch.order")}</th>}
          </tr>
        </thead>
        <tbody>
          {group.items.map((item, index) => {
            const streamed = live[item.code];
            const quote = streamed ?? snapshot.data?.[item.code];
            return (
              <tr
                key={item.code}
                data-code={item.code}
                className={editing ? "" : "clickable"}
                onClick={editing ? undefined : () => navigate(`/symbols/${item.code}`)}
              >
                <td className="watch-name" data-label={t("market.name")}>
                  <Link to={`/symbols/${item.code}`} onClick={(event) => event.stopPropagation()}>
                    {item.name}
                  </Link>
                  <span className="muted code">{item.code}</span>
                </td>
                <td
                  className="right watch-price"
                  data-label={t("market.price")}
                  data-testid="watch-price"
                  data-live={streamed ? "stream" : quote ? "snapshot" : "none"}
                  data-quote-time={quote?.time ?? ""}
                >
                  <Price value={quote?.price} change={quote?.change} />
                </td>
                <td className="right watch-change" data-label={t("market.change")}>
                  {quote ? <Change change={quote.change} /> : "-"}
                </td>
                <td className="right watch-rate" data-label={t("market.changeRate")}>
                  {quote ? <Signed value={quote.change_rate} percent /> : "-"}
                </td>
                <td className="right num watch-volume" data-label={t("market.volume")}>
                  {formatWon(quote?.volume)}
                </td>
                <td className="right num watch-value" data-label={t("market.value")}>
                  {formatKoreanAmount(quote?.value)}
                </td>
                {editing && (
                  <td className="right actions-cell" data-label={t("watch.order")}>
                    <div className="order-actions">
                      <button
                        type="button"
                        className="btn btn-small"
                        data-move="up"
                        disabled={index === 0}
                        aria-label={t("watch.moveUp", { name: item.name })}
                        onClick={() => move(item.code, item.name, -1)}
                      >
                        ▲
                      </button>
                      <button
                        type="button"
                        className="btn btn-small"
                        data-move="down"
                        disabled={index === group.items.length - 1}
                        aria-label={t("watch.moveDown", { name: item.name })}
                        onClick={() => move(item.code, item.name, 1)}
                      >
                        ▼
                      </button>
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        data-move="remove"
                        aria-label={t("watch.remove", { name: item.name })}
                        onClick={() => removeAt(index)}
                      >
                        {t("watch.removeShort")}
                      </button>
                    </div>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="sr-only" aria-live="polite" data-testid="watch-announcement">
        {announcement}
      </div>
    </>
  );
}
