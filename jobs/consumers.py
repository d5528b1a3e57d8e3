from django.utils.translation import gettext_lazy as _

from config.ws import CLOSE_UNAUTHENTICATED, GuardedJsonConsumer
from jobs.events import STAFF_GROUP, user_group

READ_ONLY = _("이 스트림은 읽기 전용이라 메시지를 받지 않습니다.")


class JobsConsumer(GuardedJsonConsumer):
    """Pushes progress of the user's jobs (all jobs for staff). Read-only."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.groups_joined = [STAFF_GROUP if user.is_staff else user_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "stream": "jobs"})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: object, **kwargs: object) -> None:
        await self.send_error(str(READ_ONLY))

    async def job_update(self, event: dict) -> None:
        await self.send_json({"type": "job", "job": event["job"]})
