import asyncio

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from config.locale import scope_language
from orders.events import register_delivery_loop, user_group

CLOSE_UNAUTHENTICATED = 4401
READ_ONLY = _("이 연결은 주문 알림을 받기만 합니다. 주문은 API로 내 주세요.")


class OrdersConsumer(AsyncJsonWebsocketConsumer):
    """Pushes the logged-in user's order updates, fills and conditional orders' changes. Read-only."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        translation.activate(await scope_language(self.scope))  # this connection's task: its messages' language
        register_delivery_loop(asyncio.get_running_loop())
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "stream": "orders"})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: object, **kwargs: object) -> None:
        await self.send_json({"type": "error", "message": str(READ_ONLY)})

    async def orders_batch(self, event: dict) -> None:
        """Several order events of this user (orders.events.batch_message), one frame each."""
        for item in event["events"]:
            if item["type"] == "order.update":
                await self.send_json({"type": "order", "order": item["order"]})
            elif item["type"] == "order.fill":
                await self.send_json({"type": "fill", "trade": item["trade"], "order": item["order"]})
            elif item["type"] == "condition.update":
                await self.send_json({"type": "condition", "condition": item["condition"]})
