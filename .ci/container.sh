#!/usr/bin/env bash
# Build the image from the Dockerfile and test it in a real Docker engine, on a Debian 12 machine
# that reaches only the PyPI and Debian registries (no Docker Hub). Run as root by .ci/run.
#
#   1. Debian's docker.io, debootstrap and docker-compose (installed when missing); a dockerd
#      started here when none answers, and stopped again at the end.
#   2. The Dockerfile's base image (python:3.11-slim) made locally with debootstrap and tagged
#      under that name, so the project's Dockerfile builds unchanged. Kept between runs.
#   3. docker build of the Dockerfile as committed.
#   4. Smoke: /healthz, HEALTHCHECK healthy, not root, PID 1 is the notifier itself, the data
#      volume survives a restart and a new container, `docker stop` exits 0.
#   5. `docker stop` while polls are in flight (sources on a stand-in that never answers or
#      answers 503 with Retry-After): default timeout (10 s), must exit 0 in under 10 s.
#   6. docker-compose.yml with local stand-ins for PostgreSQL, the SMTP sink and kl.dk: /readyz
#      turns ready, polls land in PostgreSQL, a digest reaches the SMTP sink, `stop` exits 0.
# Every step prints its time; the table at the end repeats them. A failed check is recorded
# and the next independent step still runs; the script exits 1 if any check failed.
#   env: KKR_CI_WORK (default /tmp/kkr-ci-container), KKR_CI_KEEP_DOCKERD=1
set -euo pipefail
export LC_ALL=C
REPO=$(cd "$(dirname "$0")/.." && pwd)
HERE=$REPO/.ci/container
WORK=${KKR_CI_WORK:-/tmp/kkr-ci-container}
IMAGE=kkr-notifier:ci
P=kkr-ci                 # prefix of every container, volume and network made here
PROJECT=kkrci            # docker-compose project name
STOP_LIMIT=10            # seconds: docker stop's default timeout
mkdir -p "$WORK"
TIMINGS=$WORK/timings.txt
: >"$TIMINGS"
FAILED=()

# Debian's client, matching Debian's daemon (a newer client without buildx may come first on PATH).
docker() { /usr/bin/docker "$@"; }
compose() {
  NOTIFIER_SECRET_KEY=${SECRET:-unset} \
  KKR_CI_IMAGE=$IMAGE KKR_CI_DIR=$HERE KKR_CI_WORK=$WORK KKR_CI_SECRET=${SECRET:-unset} \
    /usr/bin/docker-compose -p "$PROJECT" --project-directory "$REPO" \
    -f "$REPO/docker-compose.yml" -f "$HERE/compose.ci.yml" "$@"
}

since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
step() { STEP=$1; T0=$EPOCHREALTIME; echo "== container: $STEP"; }
record() {  # record ok|FAIL [NOTE]
  printf '%-38s %7ss  %-4s %s\n' "$STEP" "$(since "$T0")" "$1" "${2:-}" | tee -a "$TIMINGS"
}
ok() { record ok "${1:-}"; }
fail() { record FAIL "$1"; FAILED+=("$STEP: $1"); }
abort() { fail "$1"; summary; exit 1; }
summary() {
  echo "== container: timings ($(since "$T_ALL")s in all)"
  cat "$TIMINGS"
  if [ ${#FAILED[@]} -gt 0 ]; then
    printf 'container: FAILED: %s\n' "${FAILED[@]}" >&2
  fi
}
wait_until() {  # wait_until SECONDS COMMAND...: true once COMMAND succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_in_use() { ss -ltnH "sport = :$1" | has .; }
# grep -q would stop reading at the first match, and under pipefail the writer's SIGPIPE then
# fails the pipeline: read everything instead.
has() { grep -c -E -- "$1" >/dev/null; }
logs_tail() { echo "--- docker logs $1 (last 20 lines)"; docker logs --tail 20 "$1" 2>&1 || true; }

DOCKERD_PID=
remove_ours() {
  [ -x /usr/bin/docker ] && docker info >/dev/null 2>&1 || return 0
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  # shellcheck disable=SC2046  # (IDs: one word each, none when there are none)
  docker rm -f -v $(docker ps -aq --filter "name=^$P-") >/dev/null 2>&1 || true
  # shellcheck disable=SC2046
  docker volume rm $(docker volume ls -q --filter "name=^$P-") >/dev/null 2>&1 || true
  docker network rm "$P-net" >/dev/null 2>&1 || true
}
cleanup() {
  remove_ours
  if [ -n "$DOCKERD_PID" ] && [ -z "${KKR_CI_KEEP_DOCKERD:-}" ]; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
  fi
}
trap cleanup EXIT
T_ALL=$EPOCHREALTIME

# 1. Packages and the daemon -------------------------------------------------------------------
step "packages (docker.io, debootstrap)"
missing=()
for pkg in docker.io debootstrap docker-compose curl iproute2; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | has "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$WORK/apt.log" 2>&1 \
    || { tail -20 "$WORK/apt.log"; abort "apt-get install ${missing[*]}"; }
  ok "installed ${missing[*]}"
else
  ok "all present"
fi

step "dockerd"
NET_MODE=bridge
if docker info >/dev/null 2>&1; then
  ok "already running"
else
  start_dockerd() {
    dockerd "$@" >"$WORK/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && return 0
      kill -0 "$DOCKERD_PID" 2>/dev/null || return 1
      sleep 0.5
    done
    return 1
  }
  # Defaults work here (overlay2, bridge networking with iptables); fall back to vfs without
  # networking set-up if they ever do not.
  if ! start_dockerd; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
    start_dockerd --storage-driver=vfs --iptables=false --bridge=none \
      || { tail -20 "$WORK/dockerd.log"; abort "dockerd does not start"; }
    NET_MODE=host
  fi
  ok "$(docker info --format 'storage={{.Driver}} server={{.ServerVersion}}')"
fi
remove_ours  # whatever an earlier, interrupted run left
BUILD_NET=()
[ "$NET_MODE" = host ] && BUILD_NET=(--network host)

# 2. The base image ----------------------------------------------------------------------------
BASE=$(awk 'toupper($1) == "FROM" { print $2; exit }' "$REPO/Dockerfile")
case "$BASE" in
  python:3.11*) ;;
  *) abort "Dockerfile FROM $BASE: Debian 12 (the local stand-in) has only Python 3.11" ;;
esac
if ! docker image inspect local/debian:bookworm >/dev/null 2>&1; then
  step "debootstrap Debian 12"
  MIRROR=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || abort "no Debian mirror in /etc/apt/sources.list.d/debian.sources"
  rm -rf "$WORK/rootfs"
  debootstrap --variant=minbase --include=python3,python3-venv,python-is-python3,ca-certificates \
    bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; abort "debootstrap"; }
  rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/*
  tar --numeric-owner -C "$WORK/rootfs" -c . \
    | docker import --change 'ENV LANG=C.UTF-8' - local/debian:bookworm >/dev/null
  rm -rf "$WORK/rootfs"
  ok
fi
step "base image $BASE"
# The official image sets PYTHON_VERSION; where it is present (pulled some other way), use it.
if docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$BASE" 2>/dev/null | has '^PYTHON_VERSION='; then
  ok "the official image is here; used as it is"
else
  rm -rf "$WORK/base"
  mkdir -p "$WORK/base/certs"
  cp "$HERE/base/Dockerfile" "$WORK/base/"
  cp /usr/local/share/ca-certificates/*.crt "$WORK/base/certs/" 2>/dev/null || true
  docker build -q "${BUILD_NET[@]}" -t "$BASE" "$WORK/base" >"$WORK/base.log" 2>&1 \
    || { cat "$WORK/base.log"; abort "base image build"; }
  ok "local stand-in"
fi

# 3. The project's image -----------------------------------------------------------------------
step "docker build"
if docker build "${BUILD_NET[@]}" --label org.kkr-notifier.ci=1 -t "$IMAGE" "$REPO" >"$WORK/build.log" 2>&1; then
  ok "$(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }')"
  docker image prune -f --filter label=org.kkr-notifier.ci=1 >/dev/null  # earlier builds' images
else
  tail -30 "$WORK/build.log"
  abort "docker build (log: $WORK/build.log)"
fi

# 4. Smoke test --------------------------------------------------------------------------------
PORT=$(free_port)
run_net() {  # how a container is reached from here
  if [ "$NET_MODE" = host ]; then echo "--network host -e NOTIFIER_WEB__PORT=$PORT"; else echo "-p 127.0.0.1:$PORT:8080"; fi
}
healthz() { curl -fsS "127.0.0.1:$PORT/healthz"; }
# The shipped config polls kl.dk; tests talk to no outside host, so inside the container kl.dk
# is its own loopback: every fetch is refused at once and the polls wait in their retries.
NO_KL=(--add-host www.kl.dk:127.0.0.1 --add-host kl.dk:127.0.0.1)
docker volume create "$P-data" >/dev/null

step "run + /healthz"
# shellcheck disable=SC2046
docker run -d --name "$P-smoke" $(run_net) "${NO_KL[@]}" -v "$P-data:/app/data" \
  --health-interval=2s --health-start-period=5s "$IMAGE" >/dev/null
wait_until 60 healthz || { logs_tail "$P-smoke"; abort "no /healthz within 60 s"; }
ok

step "HEALTHCHECK healthy"
health() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$P-smoke")" = healthy ]; }
if wait_until 60 health; then ok; else fail "$(docker inspect -f '{{json .State.Health}}' "$P-smoke")"; fi

step "not root, PID 1 is notifier"
uid=$(docker exec "$P-smoke" id -u)
pid1=$(docker exec "$P-smoke" cat /proc/1/cmdline | tr '\0' ' ')
if [ "$uid" = 0 ]; then
  fail "runs as root"
elif [[ "$pid1" != *"/opt/venv/bin/notifier run"* ]]; then
  fail "PID 1 is '$pid1', not the notifier (a shell would swallow SIGTERM)"
else
  ok "uid $uid; PID 1: $pid1"
fi

step "volume survives docker restart"
MARK=mark-$RANDOM$RANDOM
docker exec "$P-smoke" sh -c "echo $MARK > /app/data/ci-marker"
docker exec "$P-smoke" test -s /app/data/notifier.db || fail "no SQLite database in the volume"
T_R=$EPOCHREALTIME
docker restart "$P-smoke" >/dev/null
restart_s=$(since "$T_R")
wait_until 60 healthz || { logs_tail "$P-smoke"; abort "no /healthz after restart"; }
if [ "$(docker exec "$P-smoke" cat /app/data/ci-marker)" = "$MARK" ]; then
  ok "docker restart took ${restart_s}s"
else
  fail "the marker file is gone after docker restart"
fi

stop_check() {  # stop_check CONTAINER: docker stop with the default timeout; exit 0 in < STOP_LIMIT s
  local t code secs
  t=$EPOCHREALTIME
  docker stop "$1" >/dev/null
  secs=$(since "$t")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$1")
  tracebacks=$(docker logs "$1" 2>&1 | grep -c Traceback || true)
  if [ "$code" = 0 ] && awk -v s="$secs" -v l="$STOP_LIMIT" 'BEGIN { exit !(s < l) }'; then
    ok "exit 0 after ${secs}s; tracebacks in log: $tracebacks"
  else
    logs_tail "$1"
    fail "exit $code after ${secs}s (want exit 0 in under ${STOP_LIMIT}s); tracebacks in log: $tracebacks"
  fi
}
step "docker stop (shipped config)"
stop_check "$P-smoke"
docker rm "$P-smoke" >/dev/null

step "volume in a new container"
# shellcheck disable=SC2046
docker run -d --name "$P-smoke2" $(run_net) "${NO_KL[@]}" -v "$P-data:/app/data" "$IMAGE" >/dev/null
wait_until 60 healthz || { logs_tail "$P-smoke2"; abort "no /healthz in a new container"; }
if [ "$(docker exec "$P-smoke2" cat /app/data/ci-marker)" = "$MARK" ]; then ok; else fail "the marker file is gone"; fi
docker rm -f "$P-smoke2" >/dev/null

# 5. docker stop while polls are in flight -----------------------------------------------------
if [ "$NET_MODE" = bridge ]; then
  step "docker stop, polls in flight"
  docker network create "$P-net" >/dev/null
  docker run -d --name "$P-slow" --network "$P-net" --network-alias slow -v "$HERE:/ci:ro" \
    --entrypoint python "$IMAGE" /ci/standins.py slow 8000 8001 >/dev/null
  docker run -d --name "$P-stop" --network "$P-net" -v "$HERE:/ci:ro" \
    -e NOTIFIER_CONFIG=/ci/stop.toml "$IMAGE" >/dev/null
  in_flight() { docker logs "$P-slow" | has '^hold ' && docker logs "$P-slow" | has '^busy '; }
  if wait_until 60 in_flight; then
    sleep 1  # let the busy polls reach their sleep before the retry
    echo "in flight: $(docker logs "$P-slow" | grep -c -E '^(hold|busy) ') requests held or refused"
    stop_check "$P-stop"
  else
    logs_tail "$P-stop"
    logs_tail "$P-slow"
    fail "the polls never reached the slow stand-in"
  fi
  docker rm -f -v "$P-stop" "$P-slow" >/dev/null
  docker network rm "$P-net" >/dev/null
else
  step "docker stop, polls in flight"
  fail "needs bridge networking, which dockerd could not set up here"
fi

# 6. docker-compose.yml ------------------------------------------------------------------------
if [ "$NET_MODE" = bridge ]; then
  step "compose: stand-in images"
  if docker build -q -t local/postgres:15 "$HERE/postgres" >"$WORK/postgres.log" 2>&1; then
    ok
  else
    cat "$WORK/postgres.log"
    abort "PostgreSQL stand-in image"
  fi

  step "compose up + /readyz ready"
  for port in 8080 8025; do
    port_in_use "$port" && abort "port $port (published by docker-compose.yml) is in use here"
  done
  SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  mkdir -p "$WORK/compose"
  {
    echo "# Generated by .ci/container.sh: the fixture site's sources, served by the kl service."
    echo 'database_url = "sqlite+aiosqlite:////app/data/unused.db"  # NOTIFIER_DATABASE_URL wins'
    echo 'data_dir = "/app/data"'
    echo 'topics_file = "/app/config/topics.toml"'
    echo "[fetch]"
    echo "per_host_delay = 0.2"
    echo 'allowed_private_networks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]'
    # The stand-in publishes everything at once; a real first poll is a silent baseline.
    echo "[ingest]"
    echo "mail_first_poll = true"
    sed 's|{base}|http://kl:8000|' "$REPO/notifier/demo_data/sources.toml"
  } >"$WORK/compose/notifier.toml"
  chmod -R a+rX "$WORK/compose"
  pg_healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$(compose ps -q postgres)")" = healthy ]; }
  readyz() { curl -fsS 127.0.0.1:8080/readyz | has '"ready": *true'; }
  psql_n() { compose exec -T postgres psql -U notifier -d notifier -Atc "$1"; }
  if ! compose up -d postgres mailpit kl >"$WORK/compose.log" 2>&1; then
    cat "$WORK/compose.log"
    abort "compose up (postgres, mailpit, kl)"
  fi
  wait_until 60 pg_healthy || { compose logs --tail=20 postgres; abort "PostgreSQL not healthy"; }
  # A subscriber before the first poll, so the poll's news go out as an immediate digest.
  if ! compose run -T --rm --no-deps notifier subscribers add politiker@example.org \
    --topics all --frequency immediate >>"$WORK/compose.log" 2>&1; then
    tail -20 "$WORK/compose.log"
    abort "notifier subscribers add"
  fi
  compose up -d >>"$WORK/compose.log" 2>&1 || { cat "$WORK/compose.log"; abort "compose up"; }
  if wait_until 90 readyz; then
    ok
  else
    curl -sS 127.0.0.1:8080/readyz || true
    compose logs --tail=20 notifier
    fail "/readyz not ready within 90 s"
  fi

  step "compose: polls in PostgreSQL"
  polled() { [ "$(psql_n 'select count(*) from sources where last_success_at is not null')" -gt 0 ]; }
  if wait_until 90 polled; then
    ok "$(psql_n 'select count(*) from sources where last_success_at is not null') sources polled, $(psql_n 'select count(*) from items') items"
  else
    compose logs --tail=20 notifier
    fail "no successful poll recorded in PostgreSQL within 90 s"
  fi

  step "compose: digest reaches the SMTP sink"
  mailed() { compose logs --no-color mailpit | has 'MESSAGE FOLLOWS'; }
  if wait_until 120 mailed; then
    ok "$(compose logs --no-color mailpit | grep -c 'MESSAGE FOLLOWS') message(s)"
  else
    compose logs --tail=20 notifier
    fail "no mail at the SMTP sink within 120 s"
  fi

  step "compose stop notifier"
  notifier_id=$(compose ps -q notifier)
  t=$EPOCHREALTIME
  compose stop notifier >/dev/null 2>&1
  secs=$(since "$t")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$notifier_id")
  if [ "$code" = 0 ]; then
    ok "exit 0 after ${secs}s (stop_grace_period of docker-compose.yml)"
  else
    compose logs --tail=20 notifier
    fail "exit $code after ${secs}s"
  fi

  step "compose down"
  compose down -v >/dev/null 2>&1
  ok
fi

summary
[ ${#FAILED[@]} -eq 0 ] && echo "container: all checks passed"
[ ${#FAILED[@]} -eq 0 ]
