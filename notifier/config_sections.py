"""The sections of the settings (``[fetch]``, ``[smtp]``, ``[[sources]]``...), each setting with
its type, default and help; ``notifier.config`` puts them together and loads them."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
)

from notifier.config_values import (
    Address,
    AddressList,
    ClockTime,
    ListId,
    NetworkList,
    Regex,
    Seconds,
    SiteList,
    TimeZoneName,
)
from notifier.models import Council, SourceKind


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceConfig(_Section):
    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Unique id, used in CLI and logs."
    )
    kkr: Council = Field(description="The council the source belongs to.")
    kind: SourceKind = Field(description="listing, feed or page.")
    url: str = Field(pattern=r"^https?://", description="The page or feed to poll.")
    link_pattern: Regex | None = Field(
        default=None, description="Regex that document links on a listing must match."
    )
    interval: Seconds = Field(default=3600, description="Seconds (or '30m', '6h') between polls.")
    quiet_period: Seconds = Field(
        default=120 * 86400,
        description="Alert the operator when the source has published nothing for this long.",
    )
    max_documents: int = Field(
        default=50, ge=1, description="Newest documents followed per poll of a listing or feed."
    )
    max_pages: int = Field(
        default=3,
        ge=1,
        le=20,
        description="Pages of a listing read at most in one poll. Its next page ('…/2', "
        "'Næste side', rel=next) is read on the source's first poll and while every document "
        "on the page before is new; an unchanged listing still costs one request. 1: the first "
        "page only.",
    )


class FetchSettings(_Section):
    contact_url: str = Field(
        default="https://github.com/kkr-notifier/notifier",
        description="Contact URL sent in the User-Agent so site owners can reach the operator.",
    )
    connect_timeout: Seconds = Field(default=10, description="TCP/TLS connect timeout, seconds.")
    read_timeout: Seconds = Field(
        default=30, description="Longest wait for the next bytes of a response, seconds."
    )
    total_timeout: Seconds = Field(
        default=120,
        description="Longest one request may take from its start to the last byte, seconds; "
        "a server still sending then (a trickle) fails that fetch without retries.",
    )
    max_body_bytes: int = Field(
        default=25_000_000,
        ge=1024,
        description="Larger responses are refused (counted after gzip/deflate decompression).",
    )
    per_host_concurrency: int = Field(
        default=2,
        ge=1,
        description="Parallel requests per site (a domain and its subdomains: www.kl.dk and "
        "backoffice.kl.dk share one budget).",
    )
    per_host_delay: float = Field(
        default=1.0, ge=0, description="Minimum seconds between request starts to one site."
    )
    retries: int = Field(default=3, ge=0, description="Retries on 5xx, 429 and timeouts.")
    backoff: float = Field(default=1.0, ge=0, description="First retry delay; doubles each try.")
    max_retry_after: float = Field(
        default=300, ge=0, description="Longest Retry-After honoured, seconds."
    )
    revalidate_interval: Seconds = Field(
        default=86400, description="Re-check a known document after this long, e.g. '24h'."
    )
    revalidate_per_poll: int = Field(default=5, ge=0, description="Re-checks per poll at most.")
    respect_robots: bool = Field(
        default=True, description="Honour robots.txt (of every host a redirect leads to, too)."
    )
    redirect_sites: SiteList = Field(
        default_factory=list,
        description="Sites besides a URL's own that its redirects may lead to, e.g. "
        '["kl.dk"] (a site includes its subdomains). Redirects elsewhere fail the fetch.',
    )
    allowed_private_networks: NetworkList = Field(
        default_factory=list,
        description="Private, loopback or link-local networks fetches may reach, as CIDR "
        '(e.g. ["127.0.0.0/8"] for a test site); by default none, so no source, link or '
        "redirect can point the poller at internal addresses.",
    )


class IngestSettings(_Section):
    suspect_share: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="A poll that makes more than this share of a source's items new or removed "
        "at once is quarantined until `notifier release`.",
    )
    suspect_min_items: int = Field(
        default=8, ge=1, description="Sources with fewer stored items are never quarantined."
    )
    failure_alert_after: int = Field(
        default=3, ge=1, description="Consecutive failed polls before the operator is alerted."
    )
    mail_first_poll: bool = Field(
        default=False,
        description="Mail what a new source's first poll finds. Off: that back catalogue goes "
        "to the archive and the feeds only, and subscribers hear of what is new after it.",
    )
    extract_timeout: Seconds = Field(
        default=30,
        description="Longest reading one document, listing or feed may take, seconds; it runs "
        "in a separate worker process that is restarted when it overruns.",
    )
    extract_memory_mb: int = Field(
        default=192,
        ge=64,
        description="Memory limit of the extraction worker process, MB; a document that needs "
        "more (a PDF bomb) fails on its own.",
    )


class SmtpSettings(_Section):
    host: str = Field(default="", description="SMTP server; empty disables mail.")
    port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls, tls (implicit) or none."
    )
    user: str = Field(default="", description="SMTP user; empty for no login.")
    password: SecretStr = Field(
        default=SecretStr(""),
        description="Only from NOTIFIER_SMTP__PASSWORD (or _FILE).",
        exclude=True,
    )
    timeout: Seconds = Field(default=30, description="SMTP command timeout, seconds.")
    data_timeout: Seconds = Field(
        default=600,
        description="How long to wait for the reply to a message's end of DATA, seconds (RFC "
        "5321 4.5.3.2.6: 10 minutes; a busy content filter answers late). Without a reply the "
        "message may have been delivered: it is retried later, as one of smtp.max_attempts.",
    )
    connections: int = Field(default=2, ge=1, le=32, description="Parallel SMTP connections.")
    messages_per_minute: int = Field(default=600, ge=1, description="Sending rate limit.")
    max_attempts: int = Field(
        default=8, ge=1, description="Tries for a message on its own 4xx replies before it fails."
    )
    retry_backoff: Seconds = Field(
        default=60,
        description="Wait before the first retry of a message; doubles with each try (max 6h).",
    )
    lease: Seconds = Field(
        default=300,
        description="How long a sender holds claimed outbox messages; after a crash they are "
        "sent by the next run once it expires. Keep it well above smtp.timeout.",
    )
    outage_max_wait: Seconds = Field(
        default=900,
        description="While the SMTP server is out (unreachable, dropping connections, 421) the "
        "sender waits smtp.retry_backoff, doubling up to this; messages keep their attempts.",
    )

    @property
    def enabled(self) -> bool:
        return bool(self.host)


class MailSettings(_Section):
    from_address: Address = Field(
        default="KKR Notifier <kkr-notifier@localhost>", description="From header."
    )
    reply_to: Address = Field(default="", description="Reply-To header; empty to omit.")
    list_id: ListId = Field(
        default="kkr-notifier.localhost",
        description="List-Id domain, also the right side of every Message-ID: ASCII, no "
        "spaces, at least one dot (an international domain in its xn-- form).",
    )
    unsubscribe_mailto: Address = Field(
        default="", description="Address for mailto: List-Unsubscribe; empty to omit."
    )
    operator_address: Address = Field(default="", description="Where operator alerts go.")


class DigestSettings(_Section):
    timezone: TimeZoneName = Field(
        default="Europe/Copenhagen", description="Timezone for schedules."
    )
    daily_at: ClockTime = Field(default="07:00", description="Daily digest time.")
    weekly_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field(
        default="mon", description="Weekly digest day."
    )
    weekly_at: ClockTime = Field(default="07:00", description="Weekly digest time.")
    max_items: int = Field(
        default=50, ge=1, description="Most items in one digest; the rest come in the next one."
    )
    first_digest_days: int = Field(
        default=31,
        ge=1,
        le=366,
        description="A new subscriber who asks for it gets the items of this many days back as "
        "a first digest when they confirm.",
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class NotifySettings(_Section):
    operator_urls: list[str] = Field(
        default_factory=list,
        description="Apprise URLs for operator alerts in chat (besides mail): e.g. "
        "workflows://... (Teams), slack://..., matrix://..., json://host/path. They hold tokens: "
        "set them from NOTIFIER_NOTIFY__OPERATOR_URLS (a JSON list) or its _FILE.",
        exclude=True,
    )
    secretariat_urls: list[str] = Field(
        default_factory=list,
        description="Apprise URLs where the secretariat hears of documents waiting for review.",
        exclude=True,
    )


class ServiceSettings(_Section):
    send_interval: Seconds = Field(
        default=30, description="`notifier run`: seconds between rounds of sending the outbox."
    )
    immediate_interval: Seconds = Field(
        default=60,
        description="`notifier run`: seconds between immediate-digest rounds, besides the one "
        "after every poll (catches events another replica's polls produced).",
    )
    alert_interval: Seconds = Field(
        default=300,
        description="`notifier run`: seconds between checks of source health for operator "
        "alerts, besides the check after every poll (catches quiet sources).",
    )
    shutdown_timeout: Seconds = Field(
        default=30,
        description="On SIGTERM, seconds running sends and digests get to finish before they "
        "are cut short (and retried by the next run); polls are cut short at once.",
    )
    retry_backoff: Seconds = Field(
        default=5,
        description="`notifier run`: a job that failed (the database refused, say) runs again "
        "after this many seconds, doubling with each failure in a row, up to "
        "service.retry_max_wait (or sooner, at its next regular run).",
    )
    retry_max_wait: Seconds = Field(
        default=900, description="`notifier run`: the longest wait before a failed job retries."
    )


class WebSettings(_Section):
    host: str = Field(default="127.0.0.1", description="Address the web app listens on.")
    port: int = Field(default=8080, ge=0, le=65535, description="Port the web app listens on.")
    base_url: str = Field(
        default="http://127.0.0.1:8080",
        pattern=r"^https?://[^\s/]+",
        description="Public URL used in links in mail and feeds.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Signs subscription links; only from NOTIFIER_WEB__SECRET_KEY (or _FILE); "
        "32+ characters.",
        exclude=True,
    )
    token_max_age: Seconds = Field(
        default=30 * 86400,
        description="Lifetime of signed confirm and manage links, seconds (an expired manage "
        "link offers to mail a new one). Unsubscribe links work as long as the subscription.",
    )
    signups_per_ip_per_hour: int = Field(
        default=20,
        ge=1,
        description="Signup requests one client IP may make per hour (per replica).",
    )
    signups_per_address_per_hour: int = Field(
        default=3, ge=1, description="Signup requests for one address per hour (per replica)."
    )
    max_form_bytes: int = Field(
        default=64 * 1024,
        ge=16 * 1024,
        description="Largest form the web app reads, bytes; a bigger body is refused (413) "
        "as soon as it passes this, before the rest is read. The largest form takes a few KB.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose X-Forwarded-For/-Proto the web app believes (comma-separated "
        "addresses or networks, '*' for any): set it to your reverse proxy, so rate limits "
        "see each client's address and not the proxy's.",
    )
    status_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token that shows /readyz's details (which checks fail and why); "
        "without it /readyz says only ready or not. Only from NOTIFIER_WEB__STATUS_TOKEN.",
        exclude=True,
    )


class AdminSettings(_Section):
    addresses: AddressList = Field(
        default_factory=list,
        description="Who may sign in to the console at /admin, by a single-use link mailed to "
        "them (comma-separated in the environment).",
    )
    link_max_age: Seconds = Field(
        default=900, description="Lifetime of a console sign-in link, seconds."
    )
    session_max_age: Seconds = Field(
        default=8 * 3600, description="How long a console sign-in lasts, seconds."
    )
    signins_per_hour: int = Field(
        default=10,
        ge=1,
        description="Console sign-in requests one client IP, and one address, may make per "
        "hour (per replica).",
    )
