# KKR Notifier: one process (`notifier run`) that polls kl.dk, publishes feeds and sends mail.
# Build: docker build -t kkr-notifier .   Run: see docker-compose.yml.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY notifier ./notifier
COPY templates ./templates
COPY config ./config
RUN pip install ".[postgres]"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    NOTIFIER_WEB__HOST=0.0.0.0 \
    NOTIFIER_WEB__PORT=8080
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin notifier
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=notifier:notifier templates ./templates
COPY --chown=notifier:notifier config ./config
RUN mkdir -p /app/data && chown notifier:notifier /app/data
USER notifier
# SQLite database, feeds and other state (when not using PostgreSQL).
VOLUME ["/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["notifier", "healthcheck"]
# SIGTERM (docker stop) lets running polls and sends finish; give it more than the 10 s default
# with `docker stop -t 40` or stop_grace_period in compose.
STOPSIGNAL SIGTERM
ENTRYPOINT ["notifier"]
CMD ["run"]
