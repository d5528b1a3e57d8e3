"""What the order engine tells people, and the limits it states.

Korean, marked for translation (the Korean text is the msgid; locale/en has the English): each
becomes text in the language of the request that raises or formats it (config/locale.py).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

MAX_CASH = 10**15  # a quadrillion won: far beyond any paper account, far inside BIGINT

MAX_QUANTITY = 10**9

ACCOUNT_NOT_FOUND = _("계좌를 찾을 수 없습니다.")

ORDER_NOT_FOUND = _("주문을 찾을 수 없습니다.")

AMOUNT_NOT_POSITIVE = _("금액은 1원 이상의 정수로 입력해 주세요.")

AMOUNT_TOO_LARGE = _("모의투자 계좌에 넣을 수 있는 금액을 넘었습니다.")

NAME_REQUIRED = _("계좌 이름을 입력해 주세요.")

QUANTITY_NOT_POSITIVE = _("수량은 1주 이상의 정수로 입력해 주세요.")

QUANTITY_TOO_LARGE = _("주문 수량이 너무 많습니다.")

SYMBOL_UNKNOWN = _("{code} 종목을 찾을 수 없습니다.")

SYMBOL_INACTIVE = _("{code} 종목은 상장폐지되어 주문할 수 없습니다.")

SYMBOL_NOT_TRADABLE = _("{code} 종목은 거래정지 중이라 주문할 수 없습니다.")

NO_REFERENCE_PRICE = _("{code} 종목은 아직 기준가(전일 종가)가 없어 오늘의 가격제한폭을 알 수 없습니다.")

PRICE_REQUIRED = _("지정가·조건부지정가 주문은 가격을 입력해 주세요.")

PRICE_NOT_ALLOWED = _("시장가·최유리·최우선지정가 주문은 가격을 입력하지 않습니다.")

PRICE_OFF_TICK = _(
    "{price:,}원은 호가단위에 맞지 않습니다: 이 가격대의 호가단위는 {tick:,}원입니다(예: {down:,}원 또는 {up:,}원)."
)

PRICE_OUTSIDE_BAND = _("{price:,}원은 {code}의 오늘 가격제한폭({lower:,}원~{upper:,}원)을 벗어납니다.")

NOT_ENOUGH_CASH = _(
    "주문가능금액이 부족합니다: 이 주문에는 수수료를 포함해 {needed:,}원이 필요하고, "
    "주문가능금액은 {available:,}원입니다."
)

NOT_ENOUGH_SHARES = _("매도 가능 수량이 부족합니다: {code}은(는) {available:,}주까지 매도할 수 있습니다(공매도 불가).")

BAD_SIDE = _("매매 구분은 buy(매수) 또는 sell(매도)입니다.")

BAD_TYPE = _(
    "주문 유형은 limit(지정가), market(시장가), conditional(조건부지정가), best(최유리지정가), "
    "priority(최우선지정가) 중 하나입니다."
)

BAD_TIF = _("주문 조건은 DAY, IOC, FOK 중 하나입니다.")

ORDER_NOT_OPEN = _("미체결 주문만 정정·취소할 수 있습니다. 이 주문은 {status} 상태입니다.")

EXPIRED_AT_CLOSE = _("장 종료로 주문이 만료되었습니다.")

MARKET_BUY_RESERVED = _(
    "시장가·최유리·조건부지정가 매수는 상한가({upper:,}원) 기준으로 주문가능금액을 확인합니다: "
    "{needed:,}원이 필요하고, 주문가능금액은 {available:,}원입니다."
)

PRICE_NOT_POSITIVE = _("가격은 0보다 큰 원 단위 정수로 입력해 주세요.")

MODIFY_NOTHING = _("정정할 가격이나 수량을 입력해 주세요.")

CANCEL_TOO_MANY = _("취소 수량은 미체결 수량({open:,}주) 이하여야 합니다.")

BAD_SESSION = _("주문 세션은 regular(정규장), close_price(시간외 종가), single_price(시간외 단일가) 중 하나입니다.")

CANCEL_REASONS = {
    "ioc": _("즉시체결되지 않은 잔량이 취소되었습니다(IOC)."),
    "fok": _("전량 체결할 수 없어 주문이 취소되었습니다(FOK)."),
    "expired": EXPIRED_AT_CLOSE,
    "user": "",  # not _(""): gettext("") is the catalog's header
}

CANCELLED_BY_RESET = _("계좌 초기화로 주문이 취소되었습니다.")

# Notes of the cash entries deposits and resets write (CashEntry.note: stored in the writer's language).
OPENING_BALANCE_NOTE = _("계좌 개설")

DEPOSIT_NOTE = _("입금")

RESET_NOTE = _("초기화")

# A plain msgid (gettext_noop): DomainError translates it when raised (orders.history, orders.selectors).
AFTER_NOT_BEFORE_UNTIL = gettext_noop("after는 until보다 앞선 시각이어야 합니다.")
