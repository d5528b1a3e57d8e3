import { useMarketIndices } from "@/features/market/api/indices";
import { type Direction, direction, formatPercent, seoulDay, toNumber } from "@/lib/format";
import { type MessageKey, useT } from "@/lib/i18n";
import type { MarketIndexValue } from "@/types/models";

const points = new Intl.NumberFormat("ko-KR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const NAMES: Record<MarketIndexValue["index"], MessageKey> = { KS11: "index.kospi", KQ11: "index.kosdaq" };
const MOVES: Record<Direction, MessageKey> = { up: "index.up", down: "index.down", flat: "index.flat" };
/** What the header shows before the first answer: the names, no figures (it keeps its size). */
const PENDING: MarketIndexValue[] = (["KS11", "KQ11"] as const).map((index) => ({
  index,
  name: index === "KS11" ? "KOSPI" : "KOSDAQ",
  kind: "live",
  value: null,
  change: null,
  change_rate: null,
  prev_close: null,
  prev_close_date: null,
  time: null,
  symbols: 0,
  simulated: false,
}));

export interface IndexFigures {
  value: string;
  /** The change without its sign: the arrow carries it, as Korean apps write it (▲12.40). */
  change: string;
  rate: string;
  arrow: "▲" | "▼" | "";
  direction: Direction;
}

/** 2,612.35 · ▲12.40 · +0.48%: points to two decimals, "-" while there is no value. */
export function indexFigures(index: Pick<MarketIndexValue, "value" | "change" | "change_rate">): IndexFigures {
  const value = toNumber(index.value);
  const change = toNumber(index.change);
  const moved = direction(change);
  return {
    value: value === null ? "-" : points.format(value),
    change: change === null ? "" : points.format(Math.abs(change)),
    rate: toNumber(index.change_rate) === null ? "" : formatPercent(index.change_rate),
    arrow: moved === "up" ? "▲" : moved === "down" ? "▼" : "",
    direction: moved,
  };
}

/**
 * 코스피 2,612.35 ▲12.40 +0.48% · 코스닥 …: rising red, falling blue, "모의" when the numbers are the
 * simulated market's (the server's note says what they are). `bar` sits in the top bar on wide
 * screens; `home` is the phone's (and narrower screens') card on the home page.
 */
export function IndexHeader({ variant }: { variant: "bar" | "home" }) {
  const t = useT();
  const { indices, note } = useMarketIndices();
  const shown = indices?.length ? indices : PENDING;
  const simulated = shown.some((index) => index.simulated);
  return (
    <section
      className={`index-header index-header-${variant}`}
      aria-label={t("index.header")}
      data-testid={`index-header-${variant}`}
      data-ready={indices?.length ? "true" : "false"}
    >
      {shown.map((index) => {
        const figures = indexFigures(index);
        const tone = `dir-${figures.direction}`;
        return (
          <div key={index.index} className="index-item" data-index={index.index} data-simulated={index.simulated}>
            <span className="index-name">{t(NAMES[index.index])}</span>
            <span className={`num index-value ${tone}`}>{figures.value}</span>
            <span className={`num index-change ${tone}`}>
              {figures.arrow && <span aria-hidden="true">{figures.arrow}</span>}
              {figures.arrow && <span className="sr-only">{t(MOVES[figures.direction])} </span>}
              {figures.change}
              {figures.rate && ` ${figures.rate}`}
            </span>
            {index.kind === "close" && (
              <span className="tag" title={index.time ? seoulDay(index.time) : undefined}>
                {t("index.close")}
              </span>
            )}
          </div>
        );
      })}
      {simulated && (
        <span className="tag index-simulated" title={note} data-testid="index-simulated">
          {t("index.simulated")}
        </span>
      )}
    </section>
  );
}
