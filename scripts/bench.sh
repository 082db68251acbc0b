#!/usr/bin/env bash
# scripts/bench.sh — pg2citus side by side with its peers, on the Citus tutorial schema.
#
# Usage: scripts/bench.sh [--scale S] [--rounds N] [--tools LIST] [--json FILE] [--sslmode MODE]
#                         [--java-opts OPTS] [--workdir DIR] [--plain-target] [--timeout S] [--keep]
#
#   --scale S        data size: 10·S companies, 100·S campaigns, 1000·S ads, 50,000·S clicks,
#                    100,000·S impressions (scale 10 = 1,511,100 rows, ~350 MB); fractions work (default 1)
#   --rounds N       runs per tool; rounds are interleaved: round 1 runs every tool, then round 2… (default 3)
#   --tools LIST     comma-separated, from: pipes,pipes-keys,pgloader,pgcopydb,direct,flink, and cluster@N
#                    (default: all but cluster@N)
#   --json FILE      every run's figures and the medians (default: <workdir>/bench-<scale>.json)
#   --sslmode MODE   appends sslmode=MODE to every tool's target URL (Citus turns ssl on: try prefer
#                    against disable); without it each tool uses its own default
#   --java-opts OPTS extra JVM flags for pg2citus (PG2CITUS_JAVA_OPTS)
#   --workdir DIR    where servers, logs and results go (default: target/bench of the repository)
#   --plain-target   load plain PostgreSQL even where Citus is installed (as where it is not)
#   --timeout S      a run still going after S seconds is stopped and FAILED (default 1800)
#   --keep           leave the servers running at exit and print how to reach and stop them
#   --load 'KEY: VALUE'  a load option for pg2citus' configuration (repeatable), e.g. --load 'workers: 2'
#   --baseline REV   also offer tools direct@base, direct-shards@base and flink@base: pg2citus as of git revision REV,
#                    built in a worktree under the workdir, to measure a change against what it replaces
#
# It starts its own throwaway servers on free loopback ports, from the PostgreSQL 15 binaries
# (PG2CITUS_PG_BINDIR overrides /usr/lib/postgresql/15/bin): a source holding the generated data, a
# Citus coordinator with two workers when citus.so is installed (a plain PostgreSQL target otherwise),
# and a plain PostgreSQL server for pgcopydb, which does not distribute. Before every run the target
# database is dropped and made again (untimed). The tools:
#   pipes       five parallel `psql COPY … TO STDOUT | psql COPY … FROM STDIN`, one per table, the
#               children joined to their parents for company_id, into the bare tables pg2citus
#               creates (created untimed): the floor
#   pipes-keys  the same pipes, then the keys, indexes, foreign keys and ANALYZE of `pg2citus finalize`
#   pgloader    the seed's command file: include drop, reset no sequences, the seen_at cast,
#               distribute companies using id
#   pgcopydb    pgcopydb clone into plain PostgreSQL, 2 table jobs and 2 index jobs (a reference)
#   direct      scripts/pg2citus migrate on Beam's Direct runner
#   direct-shards  the same with load.write-path: shards: rows straight into the workers' shards
#   flink       scripts/pg2citus migrate --runner=FlinkRunner (embedded Flink)
#   direct@base, direct-shards@base, flink@base   the same, with pg2citus as of --baseline REV
#   cluster@N   scripts/pg2citus migrate on a Flink session cluster (scripts/flink-cluster.sh: two
#               TaskManagers with enough slots for the largest N, started once, stopped at exit) at
#               --parallelism=N; e.g. cluster@1,cluster@2,cluster@4 measure the scale-out. CPU adds
#               the cluster JVMs' to the launcher's; peak RSS is the launcher's
# Each run is measured with GNU time (wall, peak RSS of the largest process, user+sys CPU of the
# tool's process tree), the servers' CPU is read from /proc, and the target's content is checked
# against the source: per table the row count and an order-independent checksum of the source
# columns' text, and that every added company_id is the one reached along the foreign keys. A run
# whose content differs is FAILED; a failing tool is recorded and the bench goes on.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(cd "$(dirname "$SELF")/.." && pwd)"
PG_BIN="${PG2CITUS_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
SCHEMA_SQL="$ROOT/embedded/src/main/resources/dev/pg2citus/embedded/hackathon-schema.sql"
ALL_TOOLS="pipes,pipes-keys,pgloader,pgcopydb,direct,direct-shards,flink"
TABLES=(companies campaigns ads clicks impressions)
SOURCE_DB=hackathon
TARGET_DB=dim
export PATH="$PG_BIN:$PATH"

log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SELF"; }

# ---------------------------------------------------------------------------------------------
# The timed pipes, run by this same script in a child process so GNU time measures just them.

# One table: its source query (children joined for company_id) into the target's table.
pipe_one() {
  local src=$1 dst=$2 table=$3 query=$4
  psql -X -q -v ON_ERROR_STOP=1 "$src" -c "COPY ($query) TO STDOUT" |
    psql -X -q -v ON_ERROR_STOP=1 "$dst" -c "COPY $table FROM STDIN"
}

# All five pipes at once; writes the seconds they took to $1.
run_pipes() {
  local seconds_file=$1 src=$2 dst=$3 start pid rc=0
  local join_ads="JOIN ads a ON a.id = x.ad_id JOIN campaigns c ON c.id = a.campaign_id"
  start=$(date +%s.%N)
  pipe_one "$src" "$dst" companies "SELECT * FROM companies" &
  pipe_one "$src" "$dst" campaigns "SELECT * FROM campaigns" &
  pipe_one "$src" "$dst" ads "SELECT c.company_id, x.* FROM ads x JOIN campaigns c ON c.id = x.campaign_id" &
  pipe_one "$src" "$dst" clicks "SELECT c.company_id, x.* FROM clicks x $join_ads" &
  pipe_one "$src" "$dst" impressions "SELECT c.company_id, x.* FROM impressions x $join_ads" &
  for pid in $(jobs -p); do
    wait "$pid" || rc=1
  done
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }' >"$seconds_file"
  return $rc
}

# stop_group PGID: stops a timed tool. Its leader is GNU time, spared at first so that it still
# reports; every other process of the group gets TERM, and after 10 s all of them KILL.
# (Functions here say "return 0": a bare return in code run from a trap returns the trap's status.)
stop_group() {
  local pgid=$1 pid
  for pid in $(ps -o pid= -g "$pgid"); do
    [ "$pid" = "$pgid" ] || kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 20); do
    [ -z "$(ps -o pid= -g "$pgid" | grep -vx " *$pgid")" ] && return 0
    sleep 0.5
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

case "${1:-}" in
  __watchdog) sleep "$2"; echo "bench: timed out after $2 s" >&2; stop_group "$3"; exit ;;
  __pipes) shift; run_pipes "$@"; exit ;;
  __pipes-keys)
    shift
    run_pipes "$1" "$2" "$3"
    psql -X -q -v ON_ERROR_STOP=1 "$3" -f "$4"
    exit ;;
esac

# ---------------------------------------------------------------------------------------------
# Options

SCALE=1 ROUNDS=3 TOOLS=$ALL_TOOLS JSON_OUT="" SSLMODE="" JAVA_OPTS="" WORK="$ROOT/target/bench" KEEP=no PLAIN=no
TIMEOUT=1800 BASELINE= LOAD_OPTIONS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
    --rounds) ROUNDS=${2:?--rounds needs a value}; shift 2 ;;
    --tools) TOOLS=${2:?--tools needs a list}; shift 2 ;;
    --json) JSON_OUT=${2:?--json needs a file}; shift 2 ;;
    --sslmode) SSLMODE=${2:?--sslmode needs a mode}; shift 2 ;;
    --java-opts) JAVA_OPTS=${2?--java-opts needs a value}; shift 2 ;;
    --workdir) WORK=${2:?--workdir needs a directory}; shift 2 ;;
    --timeout) TIMEOUT=${2:?--timeout needs seconds}; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    --load) LOAD_OPTIONS+=("${2:?--load needs 'key: value'}"); shift 2 ;;
    --baseline) BASELINE=${2:?--baseline needs a git revision}; shift 2 ;;
    --plain-target) PLAIN=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
[[ $SCALE =~ ^[0-9]*\.?[0-9]+$ ]] && awk -v s="$SCALE" 'BEGIN { exit !(s > 0) }' ||
  die "--scale must be a positive number, got '$SCALE'"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive whole number, got '$ROUNDS'"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive whole number of seconds, got '$TIMEOUT'"
case "$SSLMODE" in
  ""|disable|allow|prefer|require|verify-ca|verify-full) ;;
  *) die "--sslmode must be disable, allow, prefer, require, verify-ca or verify-full" ;;
esac
IFS=, read -r -a WANTED <<<"$TOOLS"
for tool in "${WANTED[@]}"; do
  if [[ $tool == *@base ]]; then
    [ -n "$BASELINE" ] || die "tool '$tool' needs --baseline REV"
    [[ $tool =~ ^(direct|direct-shards|flink)@base$ ]] ||
      die "unknown tool '$tool' (baseline tools: direct@base,direct-shards@base,flink@base)"
  elif [[ $tool == cluster@* ]]; then
    [[ $tool =~ ^cluster@[1-9][0-9]*$ ]] || die "tool '$tool': cluster@N needs a parallelism N ≥ 1"
  else
    [[ ",$ALL_TOOLS," == *",$tool,"* ]] || die "unknown tool '$tool' (tools: $ALL_TOOLS)"
  fi
done
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
JSON_OUT=${JSON_OUT:-$WORK/bench-$SCALE.json}

# ---------------------------------------------------------------------------------------------
# Servers

declare -A PORT DATADIR
STARTED=()         # names of the servers this bench started
SKIPPED=()         # "tool: reason"
NOTES=()           # what the reader of the results must know, e.g. the target kind
TOOL_PGID=""       # the timed tool's process group while it runs
WATCHDOG_PGID=""   # the process that stops it after --timeout seconds
RUN=""             # this run's directory under $WORK
VERSION_CITUS=""
SOURCE_SIZE=""
CLUSTER_PORT=""    # the Flink session cluster's REST port, once a cluster@N tool started it

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A TCP port on 127.0.0.1 that nothing listens on (a clash at start is retried).
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "found no free port"
}

# start_server NAME yes|no: initdb and start a server (with Citus preloaded when yes).
start_server() {
  local name=$1 citus=$2 dir="$RUN/servers/$1" port attempt
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_server_user "$PG_BIN/initdb" -D "$dir/data" --no-sync -A trust -U postgres -E UTF8 --locale=C \
    >"$dir/initdb.log" 2>&1 || { tail -20 "$dir/initdb.log" >&2; die "initdb failed for $name"; }
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$dir'"
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
    echo "max_connections = 300"
    echo "max_wal_size = '4GB'"
    if [ "$citus" = yes ]; then
      echo "shared_preload_libraries = 'citus'"
      echo "max_prepared_transactions = 300"
      # Every database with citus runs a maintenance worker on each node.
      echo "max_worker_processes = 32"
    fi
  } >>"$dir/data/postgresql.conf"
  DATADIR[$name]="$dir/data"
  STARTED+=("$name")
  for attempt in 1 2 3; do
    port=$(free_port)
    echo "port = $port" >>"$dir/data/postgresql.conf"
    if as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
      PORT[$name]=$port
      return 0
    fi
    stop_server "$name" immediate
    grep -q "could not bind" "$dir/server.log" || break
  done
  tail -20 "$dir/server.log" >&2
  die "server $name did not start"
}

stop_server() {
  local data=${DATADIR[$1]} mode=${2:-fast}
  [ -f "$data/postmaster.pid" ] || return 0
  as_server_user "$PG_BIN/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 ||
    as_server_user "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
}

cleanup() {
  local rc=$? name
  trap - EXIT INT TERM
  [ -z "$WATCHDOG_PGID" ] || kill -TERM -- "-$WATCHDOG_PGID" 2>/dev/null || true
  [ -z "$TOOL_PGID" ] || stop_group "$TOOL_PGID"
  [ -z "$CLUSTER_PORT" ] || "$ROOT/scripts/flink-cluster.sh" stop --dir "$RUN/flink-cluster" >/dev/null 2>&1 || true
  if [ "$KEEP" = yes ] && [ ${#STARTED[@]} -gt 0 ]; then
    log "--keep: servers left running:"
    for name in "${STARTED[@]}"; do
      log "  $name: psql -h 127.0.0.1 -p ${PORT[$name]:-?} -U postgres;" \
        "stop: ${PG_BIN}/pg_ctl -D ${DATADIR[$name]} stop (as postgres)"
    done
  else
    for name in "${STARTED[@]}"; do
      stop_server "$name"
    done
    [ -n "$RUN" ] && rm -rf "$RUN/servers" "$RUN/pgcopydb"
  fi
  [ -n "$RUN" ] && log "logs: ${RUN#"$ROOT"/}/logs"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# conninfo SERVER DB [target]: a libpq key/value string; a target gets --sslmode.
conninfo() {
  local s="host=127.0.0.1 port=${PORT[$1]} user=postgres dbname=$2"
  [ "${3:-}" = target ] && [ -n "$SSLMODE" ] && s="$s sslmode=$SSLMODE"
  echo "$s"
}

# uri SCHEME SERVER DB [target]: the same as a URL.
uri() {
  local s="$1://postgres@127.0.0.1:${PORT[$2]}/$3"
  [ "${4:-}" = target ] && [ -n "$SSLMODE" ] && s="$s?sslmode=$SSLMODE"
  echo "$s"
}

# q SERVER DB SQL: one value (or rows, unaligned) from a query.
q() {
  psql -X -q -At -v ON_ERROR_STOP=1 "$(conninfo "$1" "$2")" -c "$3"
}

# calc SQL NAME=VALUE…: runs SQL read from stdin with psql variables (:'NAME'), on the source server.
calc() {
  local args=() kv
  for kv in "$@"; do args+=(-v "$kv"); done
  psql -X -q -At -v ON_ERROR_STOP=1 "$(conninfo source postgres)" "${args[@]}"
}

start_servers() {
  RUN="$WORK/run-$SCALE-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$RUN/logs"
  exec 2> >(tee -a "$RUN/logs/bench.log" >&2)
  log "starting servers in ${RUN#"$ROOT"/}"
  start_server source no
  start_server plain no
  if [ "$PLAIN" = yes ]; then
    CITUS=no
    TARGET_KIND="plain PostgreSQL (--plain-target)"
  elif [ -f "$PG_BIN/../lib/citus.so" ]; then
    CITUS=yes
    start_server coordinator yes
    start_server worker1 yes
    start_server worker2 yes
    TARGET=coordinator
  else
    CITUS=no
    TARGET_KIND="plain PostgreSQL (citus not installed: no ${PG_BIN%/bin}/lib/citus.so)"
  fi
  if [ "$CITUS" = no ]; then
    TARGET=plain
    log "target: $TARGET_KIND; every tool loads the plain server, nothing is distributed"
    NOTES+=("target: $TARGET_KIND; nothing is distributed")
  else
    VERSION_CITUS=$(q coordinator postgres "SELECT default_version FROM pg_available_extensions
      WHERE name = 'citus'")
    TARGET_KIND="Citus $VERSION_CITUS: coordinator and 2 workers"
  fi
  for name in "${STARTED[@]}"; do
    log "  $name on 127.0.0.1:${PORT[$name]}"
  done
}

# fresh_db SERVER [citus]: drops and creates the target database on one server.
fresh_db() {
  q "$1" postgres "DROP DATABASE IF EXISTS $TARGET_DB WITH (FORCE)" >/dev/null
  q "$1" postgres "CREATE DATABASE $TARGET_DB" >/dev/null
  if [ "${2:-}" = citus ]; then
    q "$1" "$TARGET_DB" "CREATE EXTENSION citus" >/dev/null
  fi
}

# A fresh target database: on a Citus cluster with citus on every node and the workers added.
reset_target() {
  if [ "$CITUS" = no ]; then
    fresh_db plain
    return 0
  fi
  fresh_db coordinator citus
  fresh_db worker1 citus
  fresh_db worker2 citus
  q coordinator "$TARGET_DB" "SELECT citus_set_coordinator_host('127.0.0.1', ${PORT[coordinator]})" >/dev/null
  q coordinator "$TARGET_DB" "SELECT citus_add_node('127.0.0.1', ${PORT[worker1]})" >/dev/null
  q coordinator "$TARGET_DB" "SELECT citus_add_node('127.0.0.1', ${PORT[worker2]})" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Data

declare -A ROWS SRC_SUM COLS
TOTAL_ROWS=0

# rows_at K: round(K · scale), at least 1.
rows_at() { awk -v s="$SCALE" -v k="$1" 'BEGIN { n = int(s * k + 0.5); print (n < 1 ? 1 : n) }'; }

# The generated rows: every parent is a block of ids, so fractional scales stay consistent.
# Text with tabs, quotes, commas and newlines, NULLs, microsecond timestamps, IPv4 and IPv6, jsonb.
data_sql() {
  cat <<'SQL'
INSERT INTO companies (id, name, image_url, created_at, updated_at)
SELECT i, 'Company ' || i || (ARRAY[' Ltd', ' GmbH', ' Inc.', ' S.A.', ' & Sons'])[1 + i % 5],
       CASE WHEN i % 7 <> 3 THEN 'https://cdn.example.com/logo/' || md5(i::text) || '.png' END,
       timestamp '2020-01-01' + i * interval '67 minutes',
       timestamp '2024-06-01 12:00:00.5' + i * interval '1 minute'
  FROM generate_series(1::bigint, :companies) i;

INSERT INTO campaigns (id, company_id, name, cost_model, state, monthly_budget, blacklisted_site_urls,
                       created_at, updated_at)
SELECT i, 1 + (i - 1) * :companies / :campaigns,
       'Campaign ' || i || ' "' || (ARRAY['spring', 'summer', 'autumn', 'winter'])[1 + i % 4] || '"',
       (ARRAY['cost_per_click', 'cost_per_impression'])[1 + i % 2],
       (ARRAY['running', 'paused', 'archived'])[1 + i % 3],
       CASE WHEN i % 5 <> 0 THEN 1000 * (1 + i % 50) END,
       CASE WHEN i % 4 = 0 THEN ARRAY['http://bad.example/' || i, 'http://worse.example/"quoted"',
                                      'http://comma.example/a,b'] END,
       timestamp '2023-01-01' + i * interval '1 day 3 hours',
       timestamp '2024-06-01' + i * interval '17 seconds'
  FROM generate_series(1::bigint, :campaigns) i;

INSERT INTO ads (id, campaign_id, name, image_url, target_url, impressions_count, clicks_count,
                 created_at, updated_at)
SELECT i, 1 + (i - 1) * :campaigns / :ads, E'Ad\t' || i || ' – ' || (ARRAY['banner', 'video', 'native'])[1 + i % 3],
       'https://cdn.example.com/ad/' || md5('ad' || i) || '.jpg',
       'https://shop.example/landing?campaign=' || (1 + (i - 1) * :campaigns / :ads) || '&ad=' || i,
       :impressions / :ads, :clicks / :ads,
       timestamp '2023-03-01' + i * interval '3 hours 1 second',
       timestamp '2024-06-02' + i * interval '1.25 seconds'
  FROM generate_series(1::bigint, :ads) i;

INSERT INTO clicks (id, ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data)
SELECT i, 1 + (i - 1) * :ads / :clicks,
       timestamp '2024-07-01 00:00:00.123456' + i * interval '1.000017 seconds',
       'https://news.example/' || (ARRAY['world', 'sport', 'tech', 'money'])[1 + i % 4] || '/' || i % 997,
       CASE WHEN i % 11 <> 0 THEN ((i * 7919) % 100000) / 99991.0 END,
       ('10.' || i % 256 || '.' || (i / 256) % 256 || '.' || (i / 65536) % 256)::inet,
       jsonb_build_object('is_mobile', i % 2 = 0, 'location', 'Zone "' || i % 7 || '"',
                          'agent', (ARRAY['Mozilla/5.0 (X11; Linux x86_64)', E'curl/8.5.0\nsecond line',
                                          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)'])[1 + i % 3],
                          'session', left(md5(i::text), 16))
  FROM generate_series(1::bigint, :clicks) i;

INSERT INTO impressions (id, ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
SELECT i, 1 + (i - 1) * :ads / :impressions,
       timestamp '2024-07-01 00:00:00.000001' + i * interval '0.500003 seconds',
       'https://news.example/' || (ARRAY['world', 'sport', 'tech', 'money', 'life'])[1 + i % 5] || '/' || i % 89,
       CASE WHEN i % 13 <> 0 THEN ((i * 104729) % 1000000) / 10000019.0 END,
       ('2001:db8::' || to_hex(i % 65536) || ':' || to_hex(i / 65536))::inet,
       jsonb_build_object('is_mobile', i % 3 = 0, 'location', 'Zone ' || i % 5,
                          'referrer', 'https://search.example/?q=' || (ARRAY['shoes', 'tea', 'bikes'])[1 + i % 3])
  FROM generate_series(1::bigint, :impressions) i;

SELECT setval('companies_id_seq', :companies), setval('campaigns_id_seq', :campaigns), setval('ads_id_seq', :ads),
       setval('clicks_id_seq', :clicks), setval('impressions_id_seq', :impressions);
-- Frozen and analyzed, so no run pays for the hint bits of freshly written rows.
VACUUM (FREEZE, ANALYZE);
SQL
}

# The checksum of a table's source columns, cast to their source types (a no-op on the source;
# on a target it reads e.g. a timestamptz back as the timestamp it was loaded from).
checksum_sql() {
  echo "SELECT count(*) || ' ' || coalesce(sum(('x' || left(md5(ROW(${COLS[$1]})::text), 16))::bit(64)::bigint), 0) FROM public.$1"
}

generate_data() {
  local t n sum
  ROWS[companies]=$(rows_at 10)
  ROWS[campaigns]=$(rows_at 100)
  ROWS[ads]=$(rows_at 1000)
  ROWS[clicks]=$(rows_at 50000)
  ROWS[impressions]=$(rows_at 100000)
  log "generating scale $SCALE: companies ${ROWS[companies]}, campaigns ${ROWS[campaigns]}," \
    "ads ${ROWS[ads]}, clicks ${ROWS[clicks]}, impressions ${ROWS[impressions]}"
  q source postgres "CREATE DATABASE $SOURCE_DB" >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 "$(conninfo source $SOURCE_DB)" -f "$SCHEMA_SQL"
  data_sql | psql -X -q -v ON_ERROR_STOP=1 "$(conninfo source $SOURCE_DB)" \
    -v companies="${ROWS[companies]}" -v campaigns="${ROWS[campaigns]}" -v ads="${ROWS[ads]}" \
    -v clicks="${ROWS[clicks]}" -v impressions="${ROWS[impressions]}" >/dev/null
  for t in "${TABLES[@]}"; do
    COLS[$t]=$(q source $SOURCE_DB "SELECT string_agg(format('%I::%s', attname, format_type(atttypid, atttypmod)),
      ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'public.$t'::regclass AND attnum > 0 AND NOT attisdropped")
    read -r n sum < <(q source $SOURCE_DB "$(checksum_sql "$t")")
    SRC_SUM[$t]=$sum
    [ "$n" = "${ROWS[$t]}" ] || die "source $t has $n rows, expected ${ROWS[$t]}"
    TOTAL_ROWS=$((TOTAL_ROWS + n))
  done
  SOURCE_SIZE=$(q source $SOURCE_DB "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid)))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")
  log "source: $TOTAL_ROWS rows, $SOURCE_SIZE in tables and indexes"
}

# ---------------------------------------------------------------------------------------------
# Content check: a target against the source

# Children whose added company_id is checked against the parent they reference: "parent fk-column".
declare -A PARENT=([ads]="campaigns campaign_id" [clicks]="ads ad_id" [impressions]="ads ad_id")

# check_content ROUND TOOL SERVER: appends one line per table to checks.tsv; true when all agree.
check_content() {
  local round=$1 tool=$2 server=$3 t n sum bad ok all=0 error parent fk
  for t in "${TABLES[@]}"; do
    n="" sum="" bad="" error="" ok=t
    if ! read -r n sum < <(q "$server" $TARGET_DB "$(checksum_sql "$t")" 2>"$RUN/check.err"); then
      error=$(head -1 "$RUN/check.err" | tr '\t\\' '  ')
    fi
    read -r parent fk <<<"${PARENT[$t]:-}"
    if [ -n "$parent" ] && [ -z "$error" ] &&
      [ -n "$(q "$server" $TARGET_DB "SELECT 1 FROM pg_attribute WHERE attrelid = 'public.$t'::regclass
          AND attname = 'company_id' AND NOT attisdropped")" ]; then
      # Every (company_id, fk) must be a parent row; parents are checked in turn, up to campaigns,
      # whose company_id is a source column.
      bad=$(q "$server" $TARGET_DB "SELECT count(*) FROM public.$t x LEFT JOIN public.$parent p
          ON p.company_id = x.company_id AND p.id = x.$fk WHERE p.id IS NULL" 2>"$RUN/check.err") ||
        error=$(head -1 "$RUN/check.err" | tr '\t\\' '  ')
    fi
    if [ -n "$error" ] || [ "$n" != "${ROWS[$t]}" ] || [ "$sum" != "${SRC_SUM[$t]}" ] || [ "${bad:-0}" != 0 ]; then
      ok=f all=1
      log "  $tool: $t differs: rows ${n:-?} of ${ROWS[$t]}, checksum ${sum:-?} against ${SRC_SUM[$t]}${bad:+,}" \
        "${bad:+company_id not that of the parent row in $bad rows}${error:+, $error}"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$tool" "$t" "${ROWS[$t]}" "${n:-\\N}" \
      "${SRC_SUM[$t]}" "${sum:-\\N}" "${bad:-\\N}" "$ok" "${error:-\\N}" \
      >>"$RUN/checks.tsv"
  done
  return $all
}

# ---------------------------------------------------------------------------------------------
# Measuring

CLK_TCK=$(getconf CLK_TCK)

# CPU ticks used so far by each server started here, a "name ticks" line each: its postmaster with its
# exited children, plus its live children.
server_cpu_ticks() {
  local name pm kid
  for name in "${STARTED[@]}"; do
    pm=$(head -1 "${DATADIR[$name]}/postmaster.pid" 2>/dev/null) || continue
    {
      awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat" 2>/dev/null || true
      for kid in $(ps -o pid= --ppid "$pm"); do
        # A backend may be gone by now; its time is then in its postmaster's.
        awk '{ print $14 + $15 }' "/proc/$kid/stat" 2>/dev/null || true
      done
    } | awk -v n="$name" '{ s += $1 } END { print n, s + 0 }'
  done
}

# The CPU ticks of the session cluster's JVMs (0 without one): work the cluster@N tools do there.
cluster_cpu_ticks() {
  local f
  for f in "$RUN"/flink-cluster/pid/*.pid; do
    [ -f "$f" ] && awk '{ print $14 + $15 }' "/proc/$(cat "$f")/stat" 2>/dev/null || true
  done | awk '{ s += $1 } END { print s + 0 }'
}

# sample_cpu FILE: every half second, a line of the time (epoch ms) and each server's "name ticks",
# until stopped: the servers' CPU in any window of a run (its data phase) is read from it.
sample_cpu() {
  while :; do
    printf '%s %s\n' "$(date +%s%3N)" "$(server_cpu_ticks | tr '\n' ' ')"
    sleep 0.5
  done >"$1"
}

# measure NAME CMD…: runs CMD under GNU time in its own process group, output to logs/NAME.log.
# Sets M_EXIT, M_WALL, M_RSS_KB, M_CPU (user+sys of the tool's processes, and of the session
# cluster's JVMs when MEASURE_CLUSTER=yes), M_SERVER_CPU; logs/NAME.cpu samples the servers' CPU.
measure() {
  local name=$1 before after line start user="" sys="" cluster_before cluster_after sampler
  shift
  before=$(server_cpu_ticks)
  cluster_before=$(cluster_cpu_ticks)
  sample_cpu "$RUN/logs/$name.cpu" &
  sampler=$!
  start=$(date +%s.%N)
  # setsid: a process group of its own (GNU time, the tool and its children), to stop as one.
  setsid /usr/bin/time -f '%e %M %U %S' -o "$RUN/logs/$name.time" "$@" >"$RUN/logs/$name.log" 2>&1 &
  TOOL_PGID=$!
  setsid bash "$SELF" __watchdog "$TIMEOUT" "$TOOL_PGID" 2>>"$RUN/logs/$name.log" &
  WATCHDOG_PGID=$!
  if wait "$TOOL_PGID"; then M_EXIT=0; else M_EXIT=$?; fi
  kill -TERM -- "-$WATCHDOG_PGID" 2>/dev/null || true
  wait "$WATCHDOG_PGID" 2>/dev/null || true
  TOOL_PGID="" WATCHDOG_PGID=""
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  after=$(server_cpu_ticks)
  cluster_after=$(cluster_cpu_ticks)
  # GNU time writes "Command exited with non-zero status N" first when the command fails.
  line=$(tail -1 "$RUN/logs/$name.time" 2>/dev/null || true)
  read -r M_WALL M_RSS_KB user sys <<<"$line" || true
  if ! [[ ${M_RSS_KB:-} =~ ^[0-9]+$ ]]; then
    # GNU time itself was stopped: the wall time from here, no RSS or CPU.
    M_WALL=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') M_RSS_KB=0 user=0 sys=0
  fi
  [ "${MEASURE_CLUSTER:-no}" = yes ] || cluster_after=$cluster_before
  M_CPU=$(awk -v u="$user" -v s="$sys" -v c=$((cluster_after - cluster_before)) -v hz="$CLK_TCK" \
    'BEGIN { printf "%.2f", u + s + c / hz }')
  # Per server (where the time goes: source, coordinator, each worker), and their sum.
  M_SERVER_SPLIT=$(printf '%s\n' "$before" | awk -v hz="$CLK_TCK" -v after="$after" '
    BEGIN { n = split(after, lines, "\n"); for (i = 1; i <= n; i++) { split(lines[i], f, " "); end[f[1]] = f[2] } }
    $1 in end { printf "%s%s %.2f", (out++ ? ", " : ""), $1, (end[$1] - $2) / hz }')
  M_SERVER_CPU=$(printf '%s\n' "$M_SERVER_SPLIT" | tr ',' '\n' | awk '{ s += $2 } END { printf "%.2f", s }')
}

# ---------------------------------------------------------------------------------------------
# Tools: availability and set-up (untimed), then each tool's timed command

PLAN_CREATE="" PLAN_FINALIZE=""

# apt_install PACKAGE: installs a missing Debian package, when root (after apt-get update if need be).
apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
  log "installing $1 with apt-get"
  apt-get install -y "$1" >"$WORK/apt-$1.log" 2>&1 ||
    { apt-get update >>"$WORK/apt-$1.log" 2>&1 && apt-get install -y "$1" >>"$WORK/apt-$1.log" 2>&1; }
}

skip() {
  SKIPPED+=("$1: $2")
  log "$1: skipped ($2)"
}

# RUNNABLE: the tools that can run here, in the order given; the others go to SKIPPED.
find_tools() {
  local tool
  RUNNABLE=()
  for tool in "${WANTED[@]}"; do
    case "$tool" in
      pgloader|pgcopydb)
        if command -v "$tool" >/dev/null || { apt_install "$tool" && command -v "$tool" >/dev/null; }; then
          RUNNABLE+=("$tool")
        else
          skip "$tool" "not installed and apt-get failed"
        fi ;;
      direct@base|direct-shards@base|flink@base)
        if baseline_built || build_baseline; then
          RUNNABLE+=("$tool")
        else
          skip "$tool" "pg2citus as of $BASELINE could not be built (see logs/baseline-build.log)"
        fi ;;
      cluster@*)
        if "$ROOT/scripts/pg2citus" --version >"$RUN/logs/build.log" 2>&1 && start_cluster; then
          RUNNABLE+=("$tool")
        else
          skip "$tool" "no Flink session cluster (see logs/build.log, logs/flink-cluster.log)"
        fi ;;
      direct|direct-shards|flink|pipes|pipes-keys)
        # The pipes take their schema from pg2citus's plan.
        # (the launcher rebuilds a jar older than the sources: here, untimed)
        if "$ROOT/scripts/pg2citus" --version >"$RUN/logs/build.log" 2>&1; then
          RUNNABLE+=("$tool")
        else
          skip "$tool" "pg2citus.jar could not be built (see logs/build.log)"
        fi ;;
    esac
  done
  if [[ " ${RUNNABLE[*]} " == *" pipes"* ]] && ! write_plan_sql; then
    skip pipes "pg2citus plan failed (logs/plan.log)"
    skip pipes-keys "pg2citus plan failed (logs/plan.log)"
    mapfile -t RUNNABLE < <(printf '%s\n' "${RUNNABLE[@]}" | grep -v '^pipes')
  fi
}

# The session cluster for the cluster@N tools: two TaskManagers with slots for the largest N.
start_cluster() {
  [ -z "$CLUSTER_PORT" ] || return 0
  local most slots port
  most=$(printf '%s\n' "${WANTED[@]}" | sed -n 's/^cluster@//p' | sort -n | tail -1)
  slots=$(((most + 1) / 2))
  port=$(free_port)
  log "starting a Flink session cluster: 2 TaskManagers x $slots slots, REST on 127.0.0.1:$port"
  "$ROOT/scripts/flink-cluster.sh" start --taskmanagers 2 --slots "$slots" --port "$port" \
    --dir "$RUN/flink-cluster" >"$RUN/logs/flink-cluster.log" 2>&1 || return 1
  CLUSTER_PORT=$port
  NOTES+=("cluster@N: Flink session cluster of 2 TaskManagers x $slots slots on this machine's $(nproc) cores; CPU is the launcher's and the cluster JVMs', peak RSS the launcher's")
}

baseline_built() {
  # (the launcher jar is in cli/; older revisions have it in pipeline/cli/ or pipeline/)
  { [ -f "$WORK/baseline/cli/target/pg2citus.jar" ] || [ -f "$WORK/baseline/pipeline/cli/target/pg2citus.jar" ] ||
    [ -f "$WORK/baseline/pipeline/target/pg2citus.jar" ]; } &&
    [ "$(git -C "$WORK/baseline" rev-parse HEAD 2>/dev/null)" = "$(git -C "$ROOT" rev-parse "$BASELINE^{commit}")" ]
}

# The baseline's launcher, in a worktree of revision $BASELINE (rebuilt when the revision changes).
build_baseline() {
  local dir="$WORK/baseline"
  log "building pg2citus as of $BASELINE in $dir"
  git -C "$ROOT" worktree remove --force "$dir" 2>/dev/null || rm -rf "$dir"
  git -C "$ROOT" worktree prune
  git -C "$ROOT" worktree add --detach "$dir" "$BASELINE" >"$RUN/logs/baseline-build.log" 2>&1 &&
    mvn -B -q -f "$dir/pom.xml" -DskipTests package >>"$RUN/logs/baseline-build.log" 2>&1
}

# The pg2citus configuration: the twin of the seed's pgloader command, for the bench's servers.
write_config() {
  cat >"$RUN/pg2citus.yaml" <<YAML
source:
  url: $(uri postgresql source $SOURCE_DB)
target:
  url: $(uri postgresql "$TARGET" $TARGET_DB target)
  plain-postgresql: $([ "$CITUS" = yes ] && echo false || echo true)
casts:
  - column: impressions.seen_at
    to: timestamp with time zone
distribute:
  - companies using id
load:
  include-drop: true
  reset-sequences: false
$(printf '  %s\n' "${LOAD_OPTIONS[@]}")
YAML
  # pgloader's distribute needs Citus (create_distributed_table): a plain target gets a plain copy.
  local distribute="distribute companies using id"
  if [ "$CITUS" = no ]; then
    distribute=""
    NOTES+=("pgloader: plain PostgreSQL target, so no distribute clause: a plain copy, no company_id")
  fi
  cat >"$RUN/pgloader.load" <<LOAD
load database
  from $(uri pgsql source $SOURCE_DB)
  into $(uri pgsql "$TARGET" $TARGET_DB target)
  with include drop, reset no sequences
  cast column impressions.seen_at to "timestamp with time zone"
  $distribute
;
LOAD
}

# pg2citus's own create and finalize statements, from its plan, for the pipes.
write_plan_sql() {
  local plan="$RUN/logs/plan.out"
  PG2CITUS_JAVA_OPTS="$JAVA_OPTS" "$ROOT/scripts/pg2citus" plan -c "$RUN/pg2citus.yaml" \
    >"$plan" 2>"$RUN/logs/plan.log" || { tail -5 "$RUN/logs/plan.log" >&2; return 1; }
  PLAN_CREATE="$RUN/create.sql" PLAN_FINALIZE="$RUN/finalize.sql"
  awk -v create="$PLAN_CREATE" -v fin="$PLAN_FINALIZE" -v citus="$CITUS" '
    /^-- create \(pre-data\)/ { out = create; next }
    /^-- finalize \(post-data\)/ { out = fin; next }
    citus == "no" && /create_(distributed|reference)_table/ { next }
    out != "" { print > out }' "$plan"
  [ -s "$PLAN_CREATE" ] && [ -s "$PLAN_FINALIZE" ]
}

# prepare TOOL: the untimed set-up before a run, ending with a checkpoint everywhere so that no
# run pays for the one before.
prepare() {
  local name
  case "$1" in
    pgcopydb) fresh_db plain; rm -rf "$RUN/pgcopydb" ;;
    pipes|pipes-keys)
      reset_target
      psql -X -q -v ON_ERROR_STOP=1 "$(conninfo "$TARGET" $TARGET_DB)" -f "$PLAN_CREATE" >/dev/null ;;
    *) reset_target ;;
  esac
  for name in "${STARTED[@]}"; do
    q "$name" postgres CHECKPOINT >/dev/null
  done
}

# timed NAME TOOL: runs the tool under measure().
timed() {
  local name=$1 tool=$2 src dst
  src=$(conninfo source $SOURCE_DB)
  dst=$(conninfo "$TARGET" $TARGET_DB target)
  case "$tool" in
    pipes) measure "$name" bash "$SELF" __pipes "$RUN/logs/$name.data" "$src" "$dst" ;;
    pipes-keys) measure "$name" bash "$SELF" __pipes-keys "$RUN/logs/$name.data" "$src" "$dst" "$PLAN_FINALIZE" ;;
    pgloader)
      # (its --summary FILE.json writes invalid JSON: no table names; the text summary is parsed)
      measure "$name" pgloader --root-dir "$RUN/pgloader" "$RUN/pgloader.load" ;;
    pgcopydb)
      measure "$name" pgcopydb clone --source "$(uri postgres source $SOURCE_DB)" \
        --target "$(uri postgres plain $TARGET_DB target)" --dir "$RUN/pgcopydb" \
        --table-jobs 2 --index-jobs 2 --no-owner --no-acl ;;
    direct|direct-shards|flink|*@base|cluster@*)
      local runner=() root=$ROOT cluster=no config="$RUN/pg2citus.yaml"
      [[ $tool == flink* ]] && runner=(--runner=FlinkRunner)
      [[ $tool == *@base ]] && root="$WORK/baseline"
      if [[ $tool == direct-shards* ]]; then
        # the same configuration, rows straight into the workers' shards (load.write-path: shards)
        config="$RUN/pg2citus-shards.yaml"
        { cat "$RUN/pg2citus.yaml"; echo "  write-path: shards"; } >"$config"
      fi
      if [[ $tool == cluster@* ]]; then
        runner=(--runner=FlinkRunner --flinkMaster="127.0.0.1:$CLUSTER_PORT" --parallelism="${tool#cluster@}")
        cluster=yes
      fi
      MEASURE_CLUSTER=$cluster SAMPLE_CPU=yes measure "$name" env -C "$RUN/logs" PG2CITUS_JAVA_OPTS="$JAVA_OPTS" \
        "$root/scripts/pg2citus" migrate -c "$config" --summary-json "$RUN/logs/$name.summary.json" \
        --rejects-dir "$RUN/logs/$name.rejects" "${runner[@]}" ;;
  esac
}

# data_phase NAME TOOL: "seconds source" — the tool's own data-phase figure where it reports one.
data_phase() {
  local name=$1 tool=$2 s
  case "$tool" in
    pipes|pipes-keys)
      [ -s "$RUN/logs/$name.data" ] && { echo "$(cat "$RUN/logs/$name.data") pipes"; return 0; } ;;
    direct|direct-shards|flink|*@base|cluster@*)
      s=$(calc j="$(cat "$RUN/logs/$name.summary.json" 2>/dev/null || echo '{}')" <<<"
        SELECT round((p->>'millis')::numeric / 1000, 3) FROM jsonb_array_elements(:'j'::jsonb->'phases') p
         WHERE p->>'name' = 'data'" 2>/dev/null) && [ -n "$s" ] && { echo "$s summary-data-phase"; return 0; } ;;
    pgloader)
      s=$(pgloader_copy_seconds "$RUN/logs/$name.log") && { echo "$s pgloader-copy-threads"; return 0; } ;;
    pgcopydb)
      s=$(pgcopydb_copy_seconds "$RUN/logs/$name.log") && { echo "$s pgcopydb-copy-index-vacuum"; return 0; } ;;
  esac
  echo "$M_WALL wall"
}

# data_phase_cpu NAME TOOL: each server's CPU seconds in the tool's data phase, "name s, …": all of a
# pipes run; for pg2citus, between the samples nearest the start and the end of its summary's data
# phase (ended at endedAt, after millis). Empty where the tool does not say when its data phase ran.
data_phase_cpu() {
  local name=$1 tool=$2 window
  case "$tool" in
    pipes) printf '%s\n' "$M_SERVER_SPLIT"; return 0 ;;
    direct|direct-shards|flink|*@base|cluster@*) ;;
    *) return 0 ;;
  esac
  window=$(calc j="$(cat "$RUN/logs/$name.summary.json" 2>/dev/null || echo '{}')" <<<"
    SELECT ((p->>'endedAt')::bigint - (p->>'millis')::bigint) || ' ' || (p->>'endedAt')
      FROM jsonb_array_elements(:'j'::jsonb->'phases') p WHERE p->>'name' = 'data' AND p ? 'endedAt'" 2>/dev/null) ||
    return 0
  [ -n "$window" ] || return 0
  awk -v from="${window% *}" -v to="${window#* }" -v hz="$CLK_TCK" '
    { t = $1; if (t <= from || !have_start) { for (i = 2; i < NF; i += 2) a[$i] = $(i + 1); have_start = 1 }
      if (t >= to && !have_end) { for (i = 2; i < NF; i += 2) b[$i] = $(i + 1); have_end = 1; order = $0 }
      last = $0 }
    END { if (!have_end) { order = last; n = split(last, f, " "); for (i = 2; i < n; i += 2) b[f[i]] = f[i + 1] }
          n = split(order, f, " ")
          for (i = 2; i < n; i += 2) printf "%s%s %.2f", (out++ ? ", " : ""), f[i], (b[f[i]] - a[f[i]]) / hz }' \
    "$RUN/logs/$name.cpu"
}

# seconds DURATION: pgloader's "0.608s", "1m2.345s" and pgcopydb's "211ms", "1s234", "12s", "1m05s".
seconds() {
  awk -v d="$1" 'BEGIN {
    if (d ~ /^[0-9]+ms$/) { print substr(d, 1, length(d) - 2) / 1000; exit }
    if (d ~ /^[0-9]+s[0-9][0-9][0-9]$/) { split(d, p, "s"); print p[1] + p[2] / 1000; exit }
    t = 0
    while (match(d, /^[0-9.]+[hms]/)) {
      u = substr(d, RLENGTH, 1)
      t += substr(d, 1, RLENGTH - 1) * (u == "h" ? 3600 : u == "m" ? 60 : 1)
      d = substr(d, RLENGTH + 1)
    }
    if (d != "" || t == 0) exit 1
    print t }'
}

# pgloader's summary line "COPY Threads Completion  0  4  0.608s": the copy threads' wall time.
pgloader_copy_seconds() {
  seconds "$(awk '/COPY Threads Completion/ { print $NF }' "$1")"
}

# pgcopydb's "COPY, INDEX, CONSTRAINTS, VACUUM (wall clock)  both  211ms  2 + 4" (indexes are built
# while tables still copy, so it has no separate COPY wall time).
pgcopydb_copy_seconds() {
  seconds "$(awk '/COPY, INDEX, CONSTRAINTS, VACUUM \(wall clock\)/ {
    for (i = 1; i < NF; i++) if ($i == "both") { print $(i + 1); exit } }' "$1")"
}

# ---------------------------------------------------------------------------------------------
# One run, and the rounds

run_tool() {
  local round=$1 tool=$2 name="r$1-$2" data data_from data_cpu coordinator_data_cpu note content=ok
  local check_server=$TARGET
  [ "$tool" = pgcopydb ] && check_server=plain
  log "round $round: $tool"
  if ! prepare "$tool" >"$RUN/logs/$name.prepare.log" 2>&1; then
    log "  $tool: set-up failed (logs/$name.prepare.log)"
    printf '%s\t%s\t%s\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t%s\t%s\t%s\t%s\n' "$round" "$tool" -1 "$TOTAL_ROWS" FAILED \
      "logs/$name.prepare.log" "set-up failed" >>"$RUN/results.tsv"
    return 0
  fi
  timed "$name" "$tool"
  read -r data data_from <<<"$(data_phase "$name" "$tool")"
  data_cpu=$(data_phase_cpu "$name" "$tool")
  coordinator_data_cpu=$(printf '%s\n' "$data_cpu" | tr ',' '\n' | awk -v t="$TARGET" '$1 == t { print $2 }')
  check_content "$round" "$tool" "$check_server" || content=FAILED
  [ "$M_EXIT" = 0 ] || content=FAILED
  # The first error the tool logged, if any (pgloader exits 0 after some fatal errors).
  note=$(grep -m1 -E '\b(ERROR|FATAL)\b|^error|^bench: timed out' "$RUN/logs/$name.log" | cut -c1-300 | tr '\t\\' '  ' || true)
  log "  $tool: exit $M_EXIT, wall ${M_WALL}s, data ${data}s ($data_from), peak RSS $((M_RSS_KB / 1024)) MB," \
    "CPU ${M_CPU}s, servers' CPU ${M_SERVER_CPU}s ($M_SERVER_SPLIT)${data_cpu:+, in the data phase ($data_cpu)}," \
    "content $content${note:+; logged: $note}"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$tool" "$M_EXIT" "$M_WALL" "$data" \
    "$data_from" "$M_RSS_KB" "$M_CPU" "$M_SERVER_CPU" "${coordinator_data_cpu:-\\N}" "$TOTAL_ROWS" "$content" \
    "logs/$name.log" "${note:-\\N}" >>"$RUN/results.tsv"
}

main() {
  local round tool
  [ -x /usr/bin/time ] || apt_install time || die "GNU time (/usr/bin/time) is missing and apt-get failed"
  start_servers
  generate_data
  write_config
  find_tools
  : >"$RUN/results.tsv"
  : >"$RUN/checks.tsv"
  for round in $(seq "$ROUNDS"); do
    for tool in "${RUNNABLE[@]}"; do
      run_tool "$round" "$tool"
    done
  done
  report
}

# ---------------------------------------------------------------------------------------------
# Report: medians per tool on the terminal, everything as JSON (computed by the source server)

# One line of each tool's version, for the JSON.
versions() {
  VERSION_PG=$(q source postgres "SHOW server_version")
  VERSION_PGLOADER=$(pgloader --version 2>/dev/null | head -1 || true)
  VERSION_PGCOPYDB=$(pgcopydb --version 2>/dev/null | grep -m1 '^pgcopydb version' || true)
  VERSION_PG2CITUS=$(java -jar "$ROOT/cli/target/pg2citus.jar" --version 2>/dev/null | head -1 || true)
  VERSION_JAVA=$(java -version 2>&1 | head -1 || true)
}

report() {
  local skipped notes target_desc=$TARGET_KIND
  versions
  skipped=$(printf '%s\n' "${SKIPPED[@]}")
  notes=$(printf '%s\n' "${NOTES[@]}")
  target_desc="$target_desc, ssl $(q "$TARGET" postgres "SHOW ssl")"
  mkdir -p "$(dirname "$JSON_OUT")"
  {
    cat <<'SQL'
CREATE TEMP TABLE run (round int, tool text, exit int, wall numeric, data_s numeric, data_from text,
  rss_kb bigint, cpu numeric, server_cpu numeric, coordinator_data_cpu numeric, rows bigint, content text, log text, logged_error text);
CREATE TEMP TABLE chk (round int, tool text, "table" text, source_rows bigint, target_rows bigint,
  source_checksum numeric, target_checksum numeric, company_id_wrong bigint, ok boolean, error text);
COPY run FROM STDIN;
SQL
    cat "$RUN/results.tsv"
    printf '\\.\nCOPY chk FROM STDIN;\n'
    cat "$RUN/checks.tsv"
    printf '\\.\n'
    cat <<'SQL'
CREATE TEMP VIEW per AS
SELECT round, tool, array_position(string_to_array(:'order', ','), tool) AS ord, exit, wall,
       data_s, data_from, round(rows / nullif(data_s, 0)) AS rows_per_s, round(rss_kb / 1024.0, 1) AS peak_rss_mb,
       cpu AS cpu_s, round(cpu / (rows / 1e6), 2) AS cpu_s_per_m_rows, server_cpu AS servers_cpu_s,
       coordinator_data_cpu AS coordinator_data_cpu_s, rows,
       content = 'ok' AS ok, log, logged_error
  FROM run;

-- Medians over a tool's good runs (exit 0 and content ok); over all its runs when none was good.
CREATE TEMP VIEW med AS
SELECT tool, min(ord) AS ord, count(*) AS runs, count(*) FILTER (WHERE ok) AS ok_runs,
       string_agg(DISTINCT data_from, ',') AS data_from,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY wall) AS wall, min(wall) AS wall_min, max(wall) AS wall_max,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY data_s) AS data_s,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY rows_per_s) AS rows_per_s,
       min(rows_per_s) AS rows_per_s_min, max(rows_per_s) AS rows_per_s_max,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY peak_rss_mb) AS peak_rss_mb,
       min(peak_rss_mb) AS peak_rss_mb_min, max(peak_rss_mb) AS peak_rss_mb_max,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_s) AS cpu_s, min(cpu_s) AS cpu_s_min, max(cpu_s) AS cpu_s_max,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_s_per_m_rows) AS cpu_s_per_m_rows,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY servers_cpu_s) AS servers_cpu_s,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY coordinator_data_cpu_s) AS coordinator_data_cpu_s
  FROM per p
 WHERE ok OR NOT EXISTS (SELECT 1 FROM per g WHERE g.tool = p.tool AND g.ok)
 GROUP BY tool;

-- Ratios to a reference tool's medians, when it had a good run.
CREATE TEMP VIEW ratio AS
SELECT m.tool,
       round((m.wall / l.wall)::numeric, 2) AS wall_vs_pgloader,
       round((m.rows_per_s / p.rows_per_s)::numeric, 2) AS rows_per_s_vs_pipes,
       round((m.peak_rss_mb / l.peak_rss_mb)::numeric, 2) AS rss_vs_pgloader
  FROM med m
  LEFT JOIN med l ON l.tool = 'pgloader' AND l.ok_runs > 0
  LEFT JOIN med p ON p.tool = 'pipes' AND p.ok_runs > 0;

-- "median (min–max)" with d decimals; just the median after one run.
CREATE FUNCTION pg_temp.span(m float8, lo numeric, hi numeric, d int) RETURNS text LANGUAGE sql AS $$
  SELECT round(m::numeric, d) || CASE WHEN round(lo, d) IS DISTINCT FROM round(hi, d)
                                     THEN ' (' || round(lo, d) || '–' || round(hi, d) || ')' ELSE '' END
$$;

\pset format aligned
\pset tuples_only off
\pset footer off
\pset null '—'
\echo :title
SELECT m.tool, CASE WHEN m.ok_runs = m.runs THEN 'ok' ELSE 'FAILED' END || ' ' || m.ok_runs || '/' || m.runs AS content,
       pg_temp.span(m.wall, m.wall_min, m.wall_max, 2) AS "wall s",
       pg_temp.span(m.rows_per_s, m.rows_per_s_min, m.rows_per_s_max, 0) AS "data rows/s",
       pg_temp.span(m.peak_rss_mb, m.peak_rss_mb_min, m.peak_rss_mb_max, 0) AS "peak RSS MB",
       pg_temp.span(m.cpu_s, m.cpu_s_min, m.cpu_s_max, 2) AS "CPU s",
       round(m.cpu_s_per_m_rows::numeric, 1) AS "CPU s/M rows",
       round(m.servers_cpu_s::numeric, 1) AS "servers' CPU s",
       round(m.coordinator_data_cpu_s::numeric, 2) AS "target CPU s in data",
       r.wall_vs_pgloader AS "wall/pgloader", r.rows_per_s_vs_pipes AS "rows/s / pipes",
       r.rss_vs_pgloader AS "RSS/pgloader", m.data_from AS "data phase from"
  FROM med m JOIN ratio r USING (tool) ORDER BY m.ord;

\pset format unaligned
\pset tuples_only on
\o :json
SELECT jsonb_pretty(jsonb_build_object(
  'scale', :'scale'::numeric, 'rounds', :'rounds'::int, 'sslmode', nullif(:'sslmode', ''), 'logs', :'logs',
  'target', :'target', 'rows', :'rows'::jsonb, 'source_size', :'source_size',
  'tools', to_jsonb(string_to_array(:'order', ',')),
  'skipped', to_jsonb(coalesce(string_to_array(nullif(:'skipped', ''), E'\n'), '{}')),
  'caveats', to_jsonb(coalesce(string_to_array(nullif(:'caveats', ''), E'\n'), '{}')),
  'versions', jsonb_build_object('postgresql', :'v_pg', 'citus', nullif(:'v_citus', ''),
    'pgloader', nullif(:'v_pgloader', ''), 'pgcopydb', nullif(:'v_pgcopydb', ''),
    'pg2citus', nullif(:'v_pg2citus', ''), 'java', nullif(:'v_java', ''), 'java_opts', nullif(:'java_opts', '')),
  'notes', jsonb_build_array(
    'wall, peak RSS (largest single process) and CPU (user+sys of the tool''s processes) from GNU time',
    'servers_cpu_s: CPU of every bench server (source and targets) during the run, from /proc',
    'coordinator_data_cpu_s: the target''s (the Citus coordinator''s) CPU in the data phase: all of a pipes run, pg2citus'' summary data phase for pg2citus (from samples every 0.5 s)',
    'data_from: pipes = the five pipes; summary-data-phase = pg2citus''s data phase; pgloader-copy-threads = its COPY Threads Completion; pgcopydb-copy-index-vacuum = its COPY, INDEX, CONSTRAINTS, VACUUM wall clock; wall = no own figure',
    'medians are over a tool''s good runs (exit 0, content ok), over all its runs when none was good'),
  'runs', (SELECT jsonb_agg(to_jsonb(p) - 'ord' || jsonb_build_object('checks',
             (SELECT jsonb_agg(to_jsonb(c) - 'round' - 'tool') FROM chk c WHERE c.round = p.round AND c.tool = p.tool))
             ORDER BY p.round, p.ord) FROM per p),
  'medians', (SELECT jsonb_agg(to_jsonb(m) - 'ord' || to_jsonb(r) - 'tool' ORDER BY m.ord)
                FROM med m JOIN ratio r USING (tool))));
\o
SQL
  } | calc order="$(IFS=,; echo "${RUNNABLE[*]}")" json="$JSON_OUT" scale="$SCALE" rounds="$ROUNDS" \
      sslmode="$SSLMODE" logs="${RUN#"$ROOT"/}/logs" source_size="$SOURCE_SIZE" target="$target_desc" skipped="$skipped" caveats="$notes" java_opts="$JAVA_OPTS" \
      rows="{\"companies\": ${ROWS[companies]}, \"campaigns\": ${ROWS[campaigns]}, \"ads\": ${ROWS[ads]},
        \"clicks\": ${ROWS[clicks]}, \"impressions\": ${ROWS[impressions]}, \"total\": $TOTAL_ROWS}" \
      title="scale $SCALE ($TOTAL_ROWS rows), $ROUNDS round(s), target: $target_desc, sslmode ${SSLMODE:-(tool defaults)}" \
      v_pg="$VERSION_PG" v_citus="$VERSION_CITUS" v_pgloader="$VERSION_PGLOADER" v_pgcopydb="$VERSION_PGCOPYDB" \
      v_pg2citus="$VERSION_PG2CITUS" v_java="$VERSION_JAVA"
  [ -z "$skipped" ] || printf 'skipped: %s\n' "${SKIPPED[@]}"
  [ -z "$notes" ] || printf 'note: %s\n' "${NOTES[@]}"
  echo "JSON: ${JSON_OUT#"$ROOT"/}"
}

main
