"""Notifications to chat (Teams Workflows, Slack, Matrix, a generic webhook, ...) through
Apprise, configured by URL: the operator's (a source breaks, recovers) and the secretariat's
(a document waits for review).

Chat is a courtesy beside the durable channels (the operator's alert mail, the review list): a
message that cannot be posted is logged and not retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

log = logging.getLogger(__name__)

TIMEOUT = 20.0  # seconds for one notification to all of a group's URLs


class Chat:
    def __init__(self, *, operator: Sequence[str], secretariat: Sequence[str]) -> None:
        self._groups = {"operator": tuple(operator), "secretariat": tuple(secretariat)}

    async def operator(self, title: str, body: str) -> bool:
        return await self._notify("operator", title, body)

    async def secretariat(self, title: str, body: str) -> bool:
        return await self._notify("secretariat", title, body)

    def wants(self, group: str) -> bool:
        return bool(self._groups[group])

    async def _notify(self, group: str, title: str, body: str) -> bool:
        urls = self._groups[group]
        if not urls:
            return False

        def send() -> bool:
            import apprise  # only where chat is configured: it is slow to import

            targets = apprise.Apprise()
            for url in urls:
                targets.add(url)
            return bool(targets.notify(title=title, body=body))

        try:
            sent = await asyncio.wait_for(asyncio.to_thread(send), TIMEOUT)
        except TimeoutError:
            sent = False
        if not sent:
            log.warning("chat notification not delivered", extra={"group": group, "title": title})
        return sent
