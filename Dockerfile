# KKR Notifier: one process (`notifier run`) that polls kl.dk, publishes feeds and sends mail.
# Build: docker build -t kkr-notifier .   Run: see docker-compose.yml and docs/container.md.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies first, exactly as locked (versions and hashes), so a code change reuses this layer.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY notifier ./notifier
COPY templates ./templates
COPY config ./config
# The project itself adds nothing unlocked (--no-deps); pip check fails the build when the lock
# no longer satisfies pyproject.toml.
RUN pip install --no-deps . && pip check

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
# Exec form, no shell: `notifier` is the Python process itself (PID 1) and gets docker stop's
# SIGTERM directly. It must stop its jobs and exit 0 within Docker's default 10 s grace period
# (.ci/container.sh checks that, also while polls are in flight).
STOPSIGNAL SIGTERM
ENTRYPOINT ["notifier"]
CMD ["run"]
