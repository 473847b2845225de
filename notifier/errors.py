"""The exception tree. Each stage raises its own subclass; the pipeline catches at the
boundary of one source (or one message) and records the reason, so one failure never stops
the others.

    NotifierError
    ├── ConfigError          bad config file or value; the CLI prints it and exits 2
    ├── FetchError           a request failed after its retries (status, timeout, size, robots)
    ├── ExtractError         a body that cannot be turned into a Document (broken PDF, no text)
    ├── StoreError           the database refused or a migration is missing
    ├── SubscriberError      an invalid or duplicate subscriber
    └── DeliveryError        SMTP refused a message
        ├── TemporaryDeliveryError   4xx for this message: retry it later
        │   └── ConnectionTrouble    the server, not the message: no connection, a dropped one,
        │       │                    or 421; the whole sender waits, the message keeps its tries
        │       └── ServerUnreachable    no connection at all
        │   └── UnclearDelivery      no reply to the end of DATA: perhaps delivered; tried
        │                            again later, never at once, and counted as an attempt
        └── PermanentDeliveryError   5xx: this message fails, others go on
"""

from __future__ import annotations


class NotifierError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigError(NotifierError):
    pass


class FetchError(NotifierError):
    def __init__(
        self, message: str, *, url: str, status: int | None = None, requests: int = 1
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.requests = requests  # HTTP requests spent before giving up


class ExtractError(NotifierError):
    pass


class StoreError(NotifierError):
    pass


class SubscriberError(NotifierError):
    pass


class DeliveryError(NotifierError):
    pass


class TemporaryDeliveryError(DeliveryError):
    pass


class ConnectionTrouble(TemporaryDeliveryError):
    """The mail server (not this message) is the problem: trying other messages now would only
    fail too, and the message must not be counted as tried."""


class ServerUnreachable(ConnectionTrouble):
    """The mail server cannot be reached at all."""


class UnclearDelivery(TemporaryDeliveryError):
    """The message was written but the server's verdict never came (a timeout or a dropped
    connection after the end of DATA): it may have been delivered. Sending it again at once
    would be a likely duplicate; counting it as an attempt bounds the copies."""


class PermanentDeliveryError(DeliveryError):
    pass
