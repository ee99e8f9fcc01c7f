#!/usr/bin/env bash
# Makes sure Postgres and Redis are reachable at the configured addresses (DATABASE_URL, REDIS_URL,
# else the local defaults). Starts local servers that are installed but stopped; otherwise says
# exactly what to install or run. Used by the demo, the tests and CI.
set -euo pipefail

DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/paperboy}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

host_of() { node -e 'const u=new URL(process.argv[1]);process.stdout.write(u.hostname.replace(/^\[|\]$/g,"")||"127.0.0.1")' "$1"; }
port_of() { node -e 'const u=new URL(process.argv[1]);process.stdout.write(u.port||process.argv[2])' "$1" "$2"; }
# Speaks a few bytes of each protocol: an open TCP port alone proves little (proxies accept anything).
reachable() { # kind host port
  node -e '
    const [kind, host, port] = process.argv.slice(1);
    const socket = require("net").connect(+port, host);
    const done = (ok) => { socket.destroy(); process.exit(ok ? 0 : 1); };
    socket.setTimeout(2000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write(kind === "redis"
      ? "PING\r\n"
      : Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]))); // Postgres SSLRequest
    socket.on("data", (data) => done(kind === "redis" ? /^[+-]/.test(data.toString()) : /^[SN]$/.test(data.toString())));
  ' "$1" "$2" "$3"
}
is_local() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }
wait_for() { # kind host port
  for _ in $(seq 1 40); do reachable "$1" "$2" "$3" && return 0; sleep 0.5; done
  echo "ensure-services: $1 was started but does not answer on $2:$3" >&2
  return 1
}

pg_host=$(host_of "$DATABASE_URL"); pg_port=$(port_of "$DATABASE_URL" 5432)
if ! reachable postgres "$pg_host" "$pg_port"; then
  if is_local "$pg_host" && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "ensure-services: starting PostgreSQL $version (cluster main)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_for postgres "$pg_host" "$pg_port"
  else
    cat >&2 <<MSG
ensure-services: PostgreSQL is not reachable at $pg_host:$pg_port (DATABASE_URL).
  Install and start it:  apt-get update && apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect 15 main start
  or point DATABASE_URL at a running server (postgres://user@host:port/paperboy).
MSG
    exit 1
  fi
fi

redis_host=$(host_of "$REDIS_URL"); redis_port=$(port_of "$REDIS_URL" 6379)
if ! reachable redis "$redis_host" "$redis_port"; then
  if is_local "$redis_host" && command -v redis-server >/dev/null; then
    echo "ensure-services: starting redis-server on port $redis_port"
    mkdir -p /tmp/paperboy-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
      --dir /tmp/paperboy-redis --logfile /tmp/paperboy-redis/redis.log
    wait_for redis "$redis_host" "$redis_port"
  else
    cat >&2 <<MSG
ensure-services: Redis is not reachable at $redis_host:$redis_port (REDIS_URL).
  Install and start it:  apt-get update && apt-get install -y redis-server && redis-server --daemonize yes --port 6379
  or point REDIS_URL at a running server (redis://host:port).
MSG
    exit 1
  fi
fi
echo "ensure-services: PostgreSQL at $pg_host:$pg_port and Redis at $redis_host:$redis_port are up"
