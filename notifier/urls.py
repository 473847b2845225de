"""Query parameters that name no other document: what a link may carry besides its address.

Listings dedupe links without them (``notifier.extract.links``) and every output drops them
from the links it shows (``notifier.untrusted.safe_url``): a reader following a feed entry or a
digest's link should not carry a newsletter's campaign tags. Documents are never keyed by URL
(council, kind, date and title: ``notifier.plan``), so what is stored stays as it was found.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# kl.dk's "?format=noformat" (once with a stray "&"), a CMS's Danish language ("?la=da",
# "sc_lang=da-DK"; another language is another page) and campaign and click tracking.
_NOISE = re.compile(
    r"format=noformat$|(?:la|sc_lang|lang)=da(?:-dk)?$|utm_\w+=|(?:fbclid|gclid|mc_[ce]id)=",
    re.IGNORECASE,
)


def without_noise(url: str) -> str:
    """The URL without its noise parameters (and an empty "?"); the rest kept in order."""
    parts = urlsplit(url)
    # A link escaped twice in its page ("?format=noformat&amp;utm_source=x") reads "amp;" into
    # the next parameter's name.
    query = "&".join(
        p
        for p in parts.query.split("&")
        if (name := p.removeprefix("amp;")) and not _NOISE.match(name)
    )
    if query and query == parts.query:
        return url  # nothing to drop: the link exactly as found
    return urlunsplit(parts._replace(query=query))


def site(netloc: str) -> str:
    """A host as a site: "WWW.KL.DK" and "kl.dk" are the host "www.kl.dk" (docs/kl-dk.md)."""
    return netloc.casefold().removeprefix("www.")


def same_site(url: str, other: str) -> bool:
    return site(urlsplit(url).netloc) == site(urlsplit(other).netloc)
