"""The venue: the one way an order reaches a book.

The process that runs the feed owns every book and is their only writer (embedded default: the
feed thread of the web process; services: `manage.py run_feed`, the holder of the feed lock). Other
code hands it commands — `Place`, `Submit`, `Cancel`, `Modify`, `Inspect` — through `send()` and
gets the events the command caused. Users' orders are orders of the matching engine like the
synthetic participants': a resting limit order is part of the public book and keeps its time
priority. A `Place` is a user's new order as the web tier validated it: the owner has it recorded
by the registered admission (the ledger: its cash or shares held, the order written) for the whole
batch at once, and runs it as a `Submit`.

- In the owning process `send()` calls the owner directly (`serve()` registered it).
- Elsewhere, with Redis, it pushes the command on `<prefix>:market:venue:in` and waits on a reply
  list of its own; the owner's listener thread executes it at once. No owner (the feed lock is not
  held) or no answer within the timeout: `VenueUnavailable` (the API's 503). A command carries a
  deadline, and an owner that takes it late drops it, so a command answered 503 never runs later.

Every event about a user's order (its acceptance, refusal, trades, cancellation, expiry, change)
goes out as `market.signals.order_events` in the owning process, in engine order, on one thread —
and for a new order the book did not take, a "refused" event after them (the order ends there);
`send()` returns once those receivers have run, so the ledger is booked when the caller hears back.
Commands are group-committed: whatever commands have queued up while the owner was busy are
admitted together (one transaction for the batch's new orders), run one after another in the
engine, and their events go out as ONE `order_events` delivery, so the ledger books them in one
transaction (one writer per book, batched ledger writes). A lone command is a batch of one.
A user's order is one whose reference starts with "o" (`f"o{order.pk}"`); its owner is the
account id. `register_resting_source(fn)`: on start the owner re-enters the open orders `fn()`
returns, oldest first, so they keep their relative priority across a restart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext_lazy, pgettext_lazy

from market import signals, timetable

logger = logging.getLogger(__name__)

# What the venue tells people, marked for translation (config/locale.py). The owner of the books
# words its refusals in its own process's language: Korean in `run_feed`, the request's in the
# embedded default, where the feed thread answers the request's own thread.
UNAVAILABLE = gettext_lazy("거래소 연결이 끊겨 주문을 처리할 수 없습니다. 잠시 후 다시 시도해 주세요.")
NO_BOOK = gettext_lazy("{code} 종목은 지금 거래소에서 매매되지 않습니다.")
SESSION_NAMES = {
    "regular": gettext_lazy("정규장"),
    "close_price": gettext_lazy("시간외 종가"),
    "single_price": gettext_lazy("시간외 단일가"),
}
WEEKDAYS = [  # Monday first, as datetime.weekday() counts
    pgettext_lazy("weekday", "월"),
    pgettext_lazy("weekday", "화"),
    pgettext_lazy("weekday", "수"),
    pgettext_lazy("weekday", "목"),
    pgettext_lazy("weekday", "금"),
    pgettext_lazy("weekday", "토"),
    pgettext_lazy("weekday", "일"),
]
CLOSED = gettext_lazy("지금은 {name} 주문을 받지 않습니다.")
CLOSED_UNTIL = gettext_lazy("지금은 {name} 주문을 받지 않습니다. 다음 {name}은 {when}부터 주문을 받습니다.")
OPENS_AT = gettext_lazy("{month}월 {day}일({weekday}) {time}")


class VenueUnavailable(Exception):
    def __init__(self, message: str = UNAVAILABLE) -> None:
        message = str(message)
        super().__init__(message)
        self.message = message


# --- commands -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Submit:
    ref: str
    code: str
    board: str
    side: str
    kind: str
    price: int | None
    quantity: int
    tif: str
    owner: int


@dataclass(frozen=True, slots=True)
class Cancel:
    ref: str
    code: str
    board: str
    quantity: int | None = None  # None: all that is open


@dataclass(frozen=True, slots=True)
class Modify:
    ref: str
    code: str
    board: str
    price: int | None = None
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """A new user order, not yet recorded: the registered admission (`register_admission`) records
    it and holds what it may spend in the owner's batch, and it enters the book as a `Submit`.
    `request` is the admission's business (the market never reads it)."""

    code: str
    board: str
    request: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Inspect:
    """Reads only: how much rests ahead of the order at its price."""

    ref: str
    code: str
    board: str


Command = Submit | Cancel | Modify | Inspect | Place
COMMANDS: dict[str, type] = {"submit": Submit, "cancel": Cancel, "modify": Modify, "inspect": Inspect, "place": Place}


def command_to_json(command: Command) -> dict[str, Any]:
    return {"type": type(command).__name__.lower(), **dataclasses.asdict(command)}


def command_from_json(data: dict[str, Any]) -> Command:
    data = dict(data)
    return COMMANDS[data.pop("type")](**data)


@dataclass(slots=True)
class Reply:
    events: list[dict[str, Any]]
    queue_ahead: int | None
    phase: str
    answer: dict[str, Any] = dataclasses.field(default_factory=dict)  # a Place's admission answer


@dataclass(frozen=True, slots=True)
class Admission:
    """What the admission made of a `Place`: the `Submit` to run (None: nothing enters the book —
    refused, or the same client order id again) and the answer the placer hears."""

    submit: Submit | None
    answer: dict[str, Any]


def is_user_ref(order_id: object) -> bool:
    return isinstance(order_id, str) and order_id.startswith("o")


def concerns_user(event: Any) -> bool:
    """An engine event about a user's order (the ledger's business)."""
    order_id = getattr(event, "order_id", None)
    if order_id is not None:
        return is_user_ref(order_id)
    return is_user_ref(getattr(event, "buy_order_id", None)) or is_user_ref(getattr(event, "sell_order_id", None))


def event_to_json(event: Any, *, code: str, board: str, epoch: int) -> dict[str, Any]:
    """An engine event as the ledger and the API see it: a dict of its fields, enums as text, with
    the code and board of its book."""
    out: dict[str, Any] = {"type": type(event).__name__.lower(), "code": code, "board": board}
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        out[field.name] = str(value) if isinstance(value, enum.Enum) else value
    if out["type"] == "traded":
        out["exec_id"] = f"{epoch}:{code}:{board}:{event.seq}"
    elif out["type"] in ("accepted", "modified"):
        out["queue_key"] = f"{epoch:020d}:{event.seq:012d}"  # sorts as the exchange's time priority
    return out


def closed_message(at: dt.datetime, board: str) -> str:
    """Why an order is refused while its board is closed, naming when that board takes orders next."""
    day = timetable.trading_day_of(at)
    for _ in range(30):
        for session in timetable.sessions_on(day):
            if session.board == board and session.ends_at > at:
                start = session.starts_at.astimezone(timetable.SEOUL)
                name = SESSION_NAMES.get(board, board)
                when = OPENS_AT.format(
                    month=start.month, day=start.day, weekday=WEEKDAYS[start.weekday()], time=f"{start:%H:%M}"
                )
                return CLOSED_UNTIL.format(name=name, when=when)
        day = timetable.next_trading_day(day)
    return CLOSED.format(name=SESSION_NAMES.get(board, board))


# --- owners ---------------------------------------------------------------------------------------
class BookOwner(Protocol):
    """What holds the books: the synthetic market's engines, or (KIS) shadow books.

    `execute` runs one command at market time `now` and returns the engine events it caused on the
    command's board, the queue ahead of the order afterwards (None unless it rests) and the board's
    phase. `take_user_events` hands over (code, board, event) of every user-order event since the
    last call, the command's and the market's own (fills by other participants, expiries)."""

    def execute(self, command: Command, now: dt.datetime) -> tuple[list[Any], int | None, str]: ...

    def take_user_events(self) -> list[tuple[str, str, Any]]: ...


_resting_sources: list[Callable[[], list[Submit]]] = []
_admission: list[Callable[[list[Place]], list[Admission]]] = []


def register_admission(admit_places: Callable[[list[Place]], list[Admission]]) -> None:
    """The ledger's side of a `Place`: records a batch's new orders, in one transaction, before
    they reach the books (orders.placement.admit)."""
    _admission[:] = [admit_places]


Step = Any  # a command to run, or what a command's answer already is (a Reply, an exception)


def admit(commands: list[Command]) -> tuple[list[Step], list[dict[str, Any]]]:
    """A batch's `Place` commands through the admission, on a thread that may use the database:
    each becomes its `Submit`, or its final Reply (refused, or the same client order id again), or
    the exception that stopped the admission; the other commands stay as they are. With each, the
    answer its placer hears."""
    steps: list[Step] = list(commands)
    answers: list[dict[str, Any]] = [{} for _ in commands]
    at = [i for i, command in enumerate(commands) if isinstance(command, Place)]
    if not at:
        return steps, answers
    try:
        if not _admission:
            raise VenueUnavailable
        admissions = _admission[0]([commands[i] for i in at])
    except Exception as exc:  # noqa: BLE001 - the batch's other commands go on
        if not isinstance(exc, VenueUnavailable):
            logger.exception("venue: could not admit %d orders", len(at))
        for i in at:
            steps[i] = exc
        return steps, answers
    for i, admission in zip(at, admissions, strict=True):
        answers[i] = admission.answer
        steps[i] = admission.submit or Reply(events=[], queue_ahead=None, phase="", answer=admission.answer)
    return steps, answers


def register_resting_source(source: Callable[[], list[Submit]]) -> None:
    if source not in _resting_sources:
        _resting_sources.append(source)


def resting_orders() -> list[Submit]:
    out: list[Submit] = []
    for source in _resting_sources:
        try:
            out += source()
        except Exception:  # noqa: BLE001 - a broken source must not stop the market
            logger.exception("resting-order source %r failed", source)
    return out


def deliver(events: list[dict[str, Any]]) -> None:
    """Send one order_events with `events`, in engine order (the caller is the one delivery thread)."""
    if not events:
        return
    for receiver, result in signals.order_events.send_robust(sender=None, events=events):
        if isinstance(result, Exception):
            logger.error("order_events receiver %r failed", receiver, exc_info=result)


def as_json(user_events: list[tuple[str, str, Any]], epoch: int) -> list[dict[str, Any]]:
    """The owner's (code, board, event) user-order events as order_events dicts, in order."""
    return [event_to_json(event, code=code, board=board, epoch=epoch) for code, board, event in user_events]


def _failed_submit(command: Command, now: dt.datetime) -> dict[str, Any]:
    """The refusal of an admitted order the owner could not run (logged), for the ledger to end it."""
    from market.exchange.types import to_micros

    return {
        "type": "refused",
        "code": command.code,
        "board": command.board,
        "seq": 0,
        "at": to_micros(now),
        "order_id": command.ref,
        "reason": "error",
        "message": str(UNAVAILABLE),
    }


class _Slot:
    """A command waiting for the owner, and then its answer."""

    __slots__ = ("command", "done", "error", "reply")

    def __init__(self, command: Command) -> None:
        self.command = command
        self.reply: Reply | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def result(self) -> Reply:
        if self.error is not None:
            raise self.error
        assert self.reply is not None
        return self.reply


class LocalVenue:
    """The owner of the books in this process.

    Commands queue up and run in batches: with a `loop` (the feed's) the batch runs there, so the
    feed's own steps and the commands take turns on one thread; without one (tests, tools) the
    caller that gets the lock runs everything queued so far, its own command and others', and
    delivers their order_events on its thread. Either way a batch's events are booked together."""

    def __init__(
        self, owner: Any, *, loop: Any = None, clock: Any = None, execute: Any = None, on_updates: Any = None
    ) -> None:
        self.owner = owner
        self.loop = loop
        self.clock = clock
        self.epoch = time.time_ns() // 1000
        self._execute_async = execute  # the feed's coroutine that runs a batch of commands and publishes
        self.on_updates = on_updates  # without a loop: what to do with the market's updates
        self.lock = threading.Lock()
        self._queue: list[_Slot] = []
        self._queue_lock = threading.Lock()
        self._drain_scheduled = False

    def now(self) -> dt.datetime:
        if self.clock is not None:
            return self.clock.now()
        from market.clock import market_clock

        return market_clock().now()

    def run_here(
        self, steps: list[Step], answers: list[dict[str, Any]] | None = None
    ) -> tuple[list[Reply | BaseException], list[dict[str, Any]]]:
        """Execute the commands among `steps` on the owner, in order (the caller is its one writer);
        a reply (or the error) per step, and the user-order events of the batch, each event once
        as one dict (a command's reply and the ledger see the same). `answers`: what `admit` said
        of each step, carried in its reply."""
        now = self.now()
        replies: list[Reply | BaseException] = []
        seen: dict[int, dict[str, Any]] = {}  # id(engine event) -> its dict
        refused: list[dict[str, Any]] = []  # "refused": users' new orders the book did not take
        for index, step in enumerate(steps):
            if isinstance(step, (Reply, BaseException)):
                replies.append(step)
                continue
            answer = answers[index] if answers is not None else {}
            try:
                events, ahead, phase = self.owner.execute(step, now)
            except Exception as exc:  # noqa: BLE001 - one bad command must not fail the batch
                logger.exception("venue: %r failed", step)
                replies.append(exc)
                if answer:  # an admitted order that never reached the book: the ledger ends it
                    refused.append(_failed_submit(step, now))
                continue
            out = []
            for event in events:
                data = seen[id(event)] = event_to_json(event, code=step.code, board=step.board, epoch=self.epoch)
                if data["type"] == "rejected":
                    if data.get("reason") == "closed":
                        data["message"] = closed_message(now, step.board)
                    if answer:  # a new order (not a refused 정정 or cancel, nor a restored order)
                        refused.append({**data, "type": "refused"})
                out.append(data)
            replies.append(Reply(events=out, queue_ahead=ahead, phase=phase, answer=answer))
        user_events = [
            seen.get(id(event)) or event_to_json(event, code=code, board=board, epoch=self.epoch)
            for code, board, event in self.owner.take_user_events()
        ]
        return replies, user_events + refused

    def send(self, command: Command, timeout: float) -> Reply:
        return self.send_many([command], timeout)[0].result()

    def send_many(self, commands: list[Command], timeout: float) -> list[_Slot]:
        """Queue `commands` for the owner and wait for their answers (each slot's `result()`)."""
        slots = [_Slot(command) for command in commands]
        with self._queue_lock:
            self._queue += slots
            schedule = self.loop is not None and not self._drain_scheduled
            if schedule:
                self._drain_scheduled = True
        if self.loop is None:
            with self.lock:  # the holder runs whatever has queued up, this caller's commands among them
                if not slots[-1].done.is_set():
                    self._run_locked(self._take())
            return slots
        if schedule:
            self.loop.call_soon_threadsafe(self._start_drain)
        deadline = time.monotonic() + timeout
        for slot in slots:
            if not slot.done.wait(max(deadline - time.monotonic(), 0)):
                with self._queue_lock:
                    for late in slots:
                        if not late.done.is_set():
                            if late in self._queue:
                                self._queue.remove(late)  # never taken: it will never run
                            late.error = VenueUnavailable()
                break
        return slots

    def _take(self) -> list[_Slot]:
        with self._queue_lock:
            taken, self._queue = self._queue, []
            self._drain_scheduled = False
        return taken

    def _run_locked(self, slots: list[_Slot]) -> None:
        replies: list[Reply | BaseException] = [VenueUnavailable()] * len(slots)
        try:
            replies, events = self.run_here(*admit([slot.command for slot in slots]))
            deliver(events)
            if self.on_updates is not None:
                self.on_updates(self.owner.take_updates())
        finally:
            _answer(slots, replies)

    def _start_drain(self) -> None:
        import asyncio

        asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        """One batch after another until none is waiting: what queues while a batch is admitted
        and booked is the next batch (one drain at a time, so batches run in arrival order)."""
        while True:
            with self._queue_lock:
                slots, self._queue = self._queue, []
                if not slots:
                    self._drain_scheduled = False
                    return
            replies: list[Reply | BaseException]
            try:
                replies = await self._execute_async([slot.command for slot in slots])
            except BaseException as exc:  # noqa: BLE001 - every waiting caller hears of it
                logger.exception("venue: a batch of commands failed")
                replies = [exc] * len(slots)
            _answer(slots, replies)


def _answer(slots: list[_Slot], replies: list[Reply | BaseException]) -> None:
    for slot, reply in zip(slots, replies, strict=True):
        if slot.done.is_set():
            continue
        if isinstance(reply, BaseException):
            slot.error = reply if isinstance(reply, VenueUnavailable) else VenueUnavailable()
        else:
            slot.reply = reply
        slot.done.set()


_local: LocalVenue | None = None


def serve(venue: LocalVenue | None) -> None:
    """Make `venue` the owner of this process's books (None: no longer)."""
    global _local
    _local = venue


def local() -> LocalVenue | None:
    return _local


def send(command: Command, *, timeout: float = 2.0) -> Reply:
    """Execute a command on the books, wherever their owner runs."""
    venue = _local
    if venue is not None:
        return venue.send(command, timeout)
    from django.conf import settings

    if settings.REDIS_URL:
        return _redis_send(command, timeout)
    raise VenueUnavailable


def send_all(commands: list[Command], *, timeout: float = 2.0) -> list[Reply | VenueUnavailable]:
    """Execute several commands on the books as one batch of the owner, wherever it runs: a reply,
    or VenueUnavailable, per command (e.g. a list's `Inspect`s: one round trip for the page)."""
    if not commands:
        return []
    venue = _local
    if venue is not None:
        out: list[Reply | VenueUnavailable] = []
        for slot in venue.send_many(commands, timeout):
            try:
                out.append(slot.result())
            except VenueUnavailable as exc:
                out.append(exc)
        return out
    from django.conf import settings

    if settings.REDIS_URL:
        return _redis_send_all(commands, timeout)
    return [VenueUnavailable() for _ in commands]


# --- Redis transport (services) -------------------------------------------------------------------
def _keys() -> tuple[str, str]:
    from django.conf import settings

    return f"{settings.REDIS_PREFIX}:market:venue:in", f"{settings.REDIS_PREFIX}:market:feed-lock"


_redis_lock = threading.Lock()
_redis_client = None


def _redis() -> Any:
    global _redis_client
    if _redis_client is None:
        with _redis_lock:
            if _redis_client is None:
                import redis
                from django.conf import settings

                _redis_client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    return _redis_client


def _redis_send(command: Command, timeout: float) -> Reply:
    reply = _redis_send_all([command], timeout)[0]
    if isinstance(reply, VenueUnavailable):
        raise reply
    return reply


def _redis_send_all(commands: list[Command], timeout: float) -> list[Reply | VenueUnavailable]:
    """Push the commands on the owner's inbox at once (its listener takes them as one batch) and
    wait for each answer on a reply list of its own."""
    inbox, lock_key = _keys()
    deadline = time.time() + timeout
    keys = [f"{inbox}:reply:{uuid.uuid4().hex}" for _ in commands]
    messages = [
        json.dumps({"command": command_to_json(command), "reply": key, "deadline": deadline})
        for command, key in zip(commands, keys, strict=True)
    ]
    client = _redis()
    out: list[Reply | VenueUnavailable] = [VenueUnavailable() for _ in commands]
    try:
        pipe = client.pipeline(transaction=False)
        pipe.exists(lock_key)
        pipe.lpush(inbox, *messages)
        held, _ = pipe.execute()
        waiting = list(range(len(commands)))
        if not held:  # nobody owns the books: take the commands back unless an owner just took them
            pipe = client.pipeline(transaction=False)
            for message in messages:
                pipe.lrem(inbox, 1, message)
            waiting = [i for i, removed in enumerate(pipe.execute()) if not removed]
        for i in waiting:
            answer = client.blpop([keys[i]], timeout=max(deadline - time.time(), 0.01))
            if answer is None:
                continue
            data = json.loads(answer[1])
            if "error" in data:
                out[i] = VenueUnavailable(data["error"])
            else:
                out[i] = Reply(data["events"], data["queue_ahead"], data["phase"], data["answer"])
    except Exception as exc:  # noqa: BLE001 - Redis down is the venue unavailable
        logger.warning("venue: Redis unavailable (%s)", exc)
    return out


LISTEN_BATCH = 256  # commands the listener takes off the inbox at once, at most


def listen(stop: threading.Event) -> None:
    """The owner's side of the Redis transport, on a thread of the process that holds the feed lock:
    take every command that has queued up (oldest first), run them as one batch on the feed's loop
    and answer each."""
    import redis as redis_lib

    inbox, _ = _keys()
    client = _redis()
    while not stop.is_set():
        try:
            item = client.brpop([inbox], timeout=1)
            raw = [item[1], *(client.rpop(inbox, LISTEN_BATCH - 1) or [])] if item is not None else []
        except redis_lib.RedisError as exc:
            logger.warning("venue listener: Redis unavailable (%s); retrying", exc)
            stop.wait(1)
            continue
        messages = []
        for text in raw:
            try:
                message = json.loads(text)
                message["command"] = command_from_json(message["command"])
            except Exception:  # noqa: BLE001 - a malformed message is dropped, the rest go on
                logger.exception("venue: a malformed command")
                continue
            if time.time() <= message["deadline"]:  # else its sender has given up (503): never run it late
                messages.append(message)
        if messages:
            _answer_all(client, messages)


def _answer_all(client: Any, messages: list[dict[str, Any]]) -> None:
    import redis as redis_lib

    venue = _local
    bodies: list[dict[str, Any]]
    if venue is None:
        bodies = [{"error": str(UNAVAILABLE)}] * len(messages)
    else:
        timeout = max(max(m["deadline"] for m in messages) - time.time(), 0.05)  # each sender waits to its own
        bodies = []
        for slot in venue.send_many([m["command"] for m in messages], timeout):
            try:
                bodies.append(dataclasses.asdict(slot.result()))
            except VenueUnavailable as exc:
                bodies.append({"error": exc.message})
    try:
        pipe = client.pipeline(transaction=False)
        for message, body in zip(messages, bodies, strict=True):
            pipe.rpush(message["reply"], json.dumps(body))
            pipe.expire(message["reply"], 10)
        pipe.execute()
    except redis_lib.RedisError:
        logger.warning("venue: could not answer %d commands", len(messages))
