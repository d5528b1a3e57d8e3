import { type FormEvent, type MouseEvent, useState } from "react";
import { Link } from "react-router";

import { Dialog } from "@/components/Dialog";
import { FieldError, FormError } from "@/components/FieldError";
import { QueryState } from "@/components/QueryState";
import { useT } from "@/lib/i18n";
import { useToasts } from "@/stores/toasts";

import {
  type Watchlist,
  useAddWatchlistSymbol,
  useCreateWatchlist,
  useRemoveWatchlistSymbol,
  useWatchlists,
} from "../api/watchlists";
import { freeGroupName, groupsHolding } from "../watchlist";

export interface WatchedSymbol {
  code: string;
  name: string;
  market: string;
}

/**
 * ♡ 관심: opens the choice of groups for one symbol (♥ once it is in any). Clicks stay inside, so it
 * can sit in a clickable row.
 */
export function AddToWatchlist({ symbol, compact = false }: { symbol: WatchedSymbol; compact?: boolean }) {
  const t = useT();
  const groups = useWatchlists();
  const [open, setOpen] = useState(false);
  const holding = groupsHolding(groups.data ?? [], symbol.code).length;
  const stop = (event: MouseEvent) => event.stopPropagation();
  return (
    // The dialog is portalled to <body>, but React still bubbles its events through this span.
    <span className="watch-add-wrap" onClick={stop}>
      <button
        type="button"
        className={`btn btn-small watch-add${holding ? " watched" : ""}${compact ? " compact" : ""}`}
        aria-haspopup="dialog"
        aria-label={t("watch.addLabel", { name: symbol.name })}
        title={holding ? t("watch.inGroups", { count: holding }) : t("watch.addLabel", { name: symbol.name })}
        data-testid="watch-add"
        data-watched={holding > 0}
        onClick={() => setOpen(true)}
      >
        <span aria-hidden="true">{holding ? "♥" : "♡"}</span>
        {!compact && <span className="watch-add-text">{t("watch.add")}</span>}
      </button>
      {open && <WatchlistPicker symbol={symbol} onClose={() => setOpen(false)} />}
    </span>
  );
}

/** The groups as checkboxes (checked: the symbol is in it; a change saves at once) and a new group. */
function WatchlistPicker({ symbol, onClose }: { symbol: WatchedSymbol; onClose: () => void }) {
  const t = useT();
  const groups = useWatchlists();
  const add = useAddWatchlistSymbol();
  const remove = useRemoveWatchlistSymbol();
  const create = useCreateWatchlist();
  const push = useToasts((s) => s.push);
  const [newName, setNewName] = useState("");
  // A tick shows at once: the change waits behind the group's earlier changes (one queue), and the
  // list's optimistic update comes only when its turn comes.
  const [ticked, setTicked] = useState<Record<number, boolean>>({});
  const settled = (id: number) =>
    setTicked(({ [id]: _, ...rest }) => rest);
  const rows = groups.data ?? [];
  const suggested = freeGroupName(rows, t("watch.defaultGroup"));

  const addTo = (group: Pick<Watchlist, "id" | "name">) =>
    add.mutate(
      { id: group.id, code: symbol.code, item: symbol },
      {
        onSuccess: () => push({ text: t("watch.added", { name: symbol.name, group: group.name }), tone: "info" }),
        onSettled: () => settled(group.id),
      },
    );
  const toggle = (group: Watchlist, checked: boolean) => {
    setTicked((current) => ({ ...current, [group.id]: checked }));
    if (checked) addTo(group);
    else
      remove.mutate(
        { id: group.id, code: symbol.code },
        {
          onSuccess: () => push({ text: t("watch.removed", { name: symbol.name, group: group.name }), tone: "info" }),
          onSettled: () => settled(group.id),
        },
      );
  };
  const onCreate = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: newName.trim() || suggested },
      {
        onSuccess: (row) => {
          setNewName("");
          addTo(row);
        },
      },
    );
  };

  return (
    <Dialog title={t("watch.addTitle", { name: symbol.name })} onClose={onClose} testId="watch-picker">
      <QueryState query={groups}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">{t("watch.noGroups")}</p>
          ) : (
            <fieldset className="watch-picker-groups">
              <legend>{t("watch.pickGroups")}</legend>
              {list.map((group) => {
                const holds = ticked[group.id] ?? group.items.some((item) => item.code === symbol.code);
                return (
                  <label key={group.id} className="inline watch-picker-group">
                    <input type="checkbox" checked={holds} onChange={(event) => toggle(group, event.target.checked)} />
                    <span className="watch-picker-name">{group.name}</span>
                    <span className="muted">{t("watch.count", { count: group.items.length })}</span>
                  </label>
                );
              })}
            </fieldset>
          )
        }
      </QueryState>
      <form className="watch-new-group" onSubmit={onCreate}>
        <label>
          {t("watch.newGroup")}
          <input name="name" value={newName} maxLength={30} placeholder={suggested} onChange={(event) => setNewName(event.target.value)} />
        </label>
        <button type="submit" className="btn btn-small" disabled={create.isPending}>
          {t("watch.createAndAdd")}
        </button>
      </form>
      <FieldError error={create.error} name="name" />
      <FormError error={create.error} fields={["name"]} />
      <div className="dialog-actions">
        <Link to="/watch" className="btn btn-ghost watch-open" onClick={onClose}>
          {t("watch.open")}
        </Link>
        <button type="button" className="btn" onClick={onClose}>
          {t("watch.close")}
        </button>
      </div>
    </Dialog>
  );
}
