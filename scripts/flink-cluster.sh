#!/usr/bin/env bash
# scripts/flink-cluster.sh — a real Apache Flink standalone session cluster on 127.0.0.1, made of the
# Maven Central jars of flink-cluster (no Flink distribution needed).
#
# Usage: scripts/flink-cluster.sh [options] start | stop | status | taskmanager | run [flink run args…]
#
#   start        write DIR/conf, start a JobManager and N TaskManagers, and return once the web UI / REST API
#                answers and every TaskManager is registered with its slots. Exits 1 when a cluster
#                of the same DIR is already running (stop it first), or when it does not come up in
#                time (the tail of the failing process's log is printed).
#   stop         TERM the recorded processes, KILL those still alive after 20 s; exit 0 also when
#                nothing runs.
#   status       each recorded process alive or dead with its pid, and the REST overview.
#                Exit 0 all alive and REST answers, 1 something is dead or REST does not answer,
#                3 nothing runs.
#   taskmanager  start one more TaskManager into the running cluster (e.g. to replace a killed one);
#                --slots and --memory given here apply to that TaskManager only.
#   run ARGS…    Flink's own command-line client (CliFrontend) on the cluster's classpath and
#                configuration: `run -c <main class> <jar> <args>` is `flink run -c …`; when ARGS
#                start with one of Flink's actions (run, run-application, info, list, savepoint,
#                stop, cancel) or -h/--help/-v/--version they go as they are: `run list`,
#                `run cancel <job id>`, `run --help`. Without -m it talks to this cluster.
#
#   --slots N          task slots per TaskManager (FLINK_CLUSTER_SLOTS, default 2)
#   --taskmanagers N   TaskManagers that start starts (FLINK_CLUSTER_TASKMANAGERS, default 1)
#   --memory SIZE      process memory of each TaskManager, e.g. 1536m, 2g (FLINK_CLUSTER_MEMORY,
#                      default 2g: at 1g Flink's default fractions leave the task heap ~26 MB)
#   --jm-memory SIZE   process memory of the JobManager (FLINK_CLUSTER_JM_MEMORY, default 1g)
#   --port PORT        REST port on 127.0.0.1, the --flinkMaster / `-m` address (FLINK_CLUSTER_PORT,
#                      default 8081)
#   --dir DIR          configuration, logs, pid files and temporary files (FLINK_CLUSTER_DIR, default
#                      target/flink-cluster of the repository, target/flink-cluster-PORT for a port
#                      other than 8081, so clusters on two ports do not share a DIR)
#   --conf KEY=VALUE   one more Flink option for DIR/conf/config.yaml, overriding the script's own
#                      (repeatable; start only), e.g. --conf restart-strategy.fixed-delay.attempts=10
#   --timeout S        how long start and taskmanager wait (FLINK_CLUSTER_TIMEOUT, default 120)
#   -h, --help         this text
#
# Other environment: JAVA_HOME (else java from PATH); FLINK_CLUSTER_JAVA_OPTS, extra JVM flags for
# every process (the client of `run` too).
#
# DIR holds conf/ (config.yaml, logback*.xml), log/ (jobmanager.log, taskmanager-N.log, their .out
# with stdout/stderr, client.log of `run`), pid/ (jobmanager.pid, taskmanager-N.pid), tmp/
# (io.tmp.dirs: blobs, the unpacked RPC jar, spill files) and cluster.env (the settings start used,
# read by the other commands).
#
# The configuration binds everything to 127.0.0.1: REST on PORT, JobManager RPC on a free port from
# 6123 + (PORT - 8081), every other port ephemeral. Heartbeats every 1 s with a 5 s timeout (a killed
# TaskManager is noticed within seconds), restart strategy fixed-delay (3 attempts, 2 s apart; a job
# that sets its own strategy keeps it), parallelism.default = slots × TaskManagers. Submit Beam jobs
# with --runner=FlinkRunner --flinkMaster=127.0.0.1:PORT, or through `run`.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(cd "$(dirname "$SELF")/.." && pwd)"
MODULE="$ROOT/flink-cluster"
CLASSPATH_FILE="$MODULE/target/flink-cluster.classpath"
STOP_TIMEOUT=20

# Java 17: the --add-exports/--add-opens of Flink 1.19's distribution (env.java.opts.all of its
# config.yaml). -XX:+IgnoreUnrecognizedVMOptions as Flink's own scripts pass it.
JAVA_MODULE_OPTS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

say() { printf 'flink-cluster: %s\n' "$*"; }
err() { printf 'flink-cluster: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SELF"; }

# ---------------------------------------------------------------------------------------------
# Options

SLOTS="${FLINK_CLUSTER_SLOTS:-2}"
TASKMANAGERS="${FLINK_CLUSTER_TASKMANAGERS:-1}"
MEMORY="${FLINK_CLUSTER_MEMORY:-2g}"
JM_MEMORY="${FLINK_CLUSTER_JM_MEMORY:-1g}"
PORT="${FLINK_CLUSTER_PORT:-8081}"
DIR="${FLINK_CLUSTER_DIR:-}"
TIMEOUT="${FLINK_CLUSTER_TIMEOUT:-120}"
EXTRA_CONF=()
SLOTS_GIVEN=""
MEMORY_GIVEN=""
COMMAND=""
RUN_ARGS=()

need_value() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --slots) need_value "$@"; SLOTS=$2; SLOTS_GIVEN=1; shift 2 ;;
    --taskmanagers) need_value "$@"; TASKMANAGERS=$2; shift 2 ;;
    --memory) need_value "$@"; MEMORY=$2; MEMORY_GIVEN=1; shift 2 ;;
    --jm-memory) need_value "$@"; JM_MEMORY=$2; shift 2 ;;
    --port) need_value "$@"; PORT=$2; shift 2 ;;
    --dir) need_value "$@"; DIR=$2; shift 2 ;;
    --conf) need_value "$@"; EXTRA_CONF+=("$2"); shift 2 ;;
    --timeout) need_value "$@"; TIMEOUT=$2; shift 2 ;;
    --slots=*|--taskmanagers=*|--memory=*|--jm-memory=*|--port=*|--dir=*|--conf=*|--timeout=*)
      set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
    -h|--help|help) usage; exit 0 ;;
    start|stop|status|taskmanager)
      [ -z "$COMMAND" ] || die "one command at a time ($COMMAND, $1)"
      COMMAND=$1; shift ;;
    run)
      [ -z "$COMMAND" ] || die "one command at a time ($COMMAND, $1)"
      COMMAND=run; shift; RUN_ARGS=("$@"); break ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[ -n "$COMMAND" ] || { usage >&2; exit 2; }

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
is_count "$SLOTS" || die "--slots must be a positive number, not '$SLOTS'"
is_count "$TASKMANAGERS" || die "--taskmanagers must be a positive number, not '$TASKMANAGERS'"
is_count "$TIMEOUT" || die "--timeout must be a positive number of seconds, not '$TIMEOUT'"
{ is_count "$PORT" && [ "$PORT" -le 65535 ]; } || die "--port must be a TCP port, not '$PORT'"
size_re='^[0-9]+ *([kmgt]b?|[kmgt]ibi?bytes|bytes?|b)?$'
[[ "${MEMORY,,}" =~ $size_re ]] || die "--memory must be a size such as 1536m or 2g, not '$MEMORY'"
[[ "${JM_MEMORY,,}" =~ $size_re ]] || die "--jm-memory must be a size such as 1g, not '$JM_MEMORY'"
for kv in "${EXTRA_CONF[@]+"${EXTRA_CONF[@]}"}"; do
  [[ "$kv" =~ ^[A-Za-z0-9_.-]+=.*$ ]] || die "--conf takes KEY=VALUE, not '$kv'"
done

if [ -z "$DIR" ]; then
  if [ "$PORT" = 8081 ]; then DIR="$ROOT/target/flink-cluster"; else DIR="$ROOT/target/flink-cluster-$PORT"; fi
fi
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
CONF="$DIR/conf"
LOGS="$DIR/log"
PIDS="$DIR/pid"
# No plugins, but an existing (empty) directory keeps Flink from warning about it.
export FLINK_PLUGINS_DIR="$DIR/plugins"
STATE="$DIR/cluster.env"

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
command -v "$JAVA" >/dev/null || die "no java: set JAVA_HOME or put java on PATH"
read -r -a USER_JAVA_OPTS <<<"${FLINK_CLUSTER_JAVA_OPTS:-}"

# ---------------------------------------------------------------------------------------------
# The classpath: built by Maven from flink-cluster/pom.xml when missing or stale.

classpath_ok() {
  [ -s "$CLASSPATH_FILE" ] && [ "$CLASSPATH_FILE" -nt "$MODULE/pom.xml" ] || return 1
  local jar jars
  IFS=: read -r -a jars <"$CLASSPATH_FILE"
  for jar in "${jars[@]}"; do [ -f "$jar" ] || return 1; done
}

load_classpath() {
  if ! classpath_ok; then
    say "building the classpath ($MODULE/pom.xml)…"
    command -v mvn >/dev/null || die "mvn is needed to build $CLASSPATH_FILE"
    if ! mvn -B -q -o -f "$MODULE/pom.xml" generate-resources >"$DIR/classpath-build.log" 2>&1; then
      mvn -B -q -f "$MODULE/pom.xml" generate-resources >"$DIR/classpath-build.log" 2>&1 || {
        tail -n 20 "$DIR/classpath-build.log" >&2; die "could not build $CLASSPATH_FILE (log: $DIR/classpath-build.log)"; }
    fi
    classpath_ok || die "Maven ran but $CLASSPATH_FILE is still missing or incomplete"
  fi
  CP="$(cat "$CLASSPATH_FILE")"
}

# ---------------------------------------------------------------------------------------------
# REST: curl when there is one, else bash's /dev/tcp.

http_get() { # path → body on stdout; non-zero when nothing answers with 200
  local path=$1
  if command -v curl >/dev/null; then
    curl -fsS --max-time 5 "http://127.0.0.1:$PORT$path" 2>/dev/null
    return
  fi
  local response status
  response="$(
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$PORT" >&3
    timeout 5 cat <&3
  )" 2>/dev/null || return 1
  status="$(head -n 1 <<<"$response" | tr -d '\r')"
  [[ "$status" == HTTP/1.?" 200"* ]] || return 1
  sed '1,/^\r\{0,1\}$/d' <<<"$response"
}

json_number() { # key json → the number of "key":N
  sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p" <<<"$2" | head -n 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# Processes: a pid counts as ours only while its command line names this DIR's conf.

pid_of() { [ -f "$PIDS/$1.pid" ] && cat "$PIDS/$1.pid"; }

alive() { # pid
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ -r "/proc/$1/cmdline" ] || return 1
  tr '\0' '\n' <"/proc/$1/cmdline" | grep -qxF "$CONF"
}

recorded() { # the names of the recorded processes, TaskManagers first
  local f
  for f in "$PIDS"/taskmanager-*.pid; do [ -e "$f" ] && basename "$f" .pid; done | sort -t- -k2 -n
  [ -e "$PIDS/jobmanager.pid" ] && echo jobmanager
  return 0
}

running() { # the names of the recorded processes that are alive
  local name
  for name in $(recorded); do alive "$(pid_of "$name")" && echo "$name"; done
  return 0
}

next_taskmanager() {
  local n=1 f i
  for f in "$PIDS"/taskmanager-*.pid "$LOGS"/taskmanager-*.log; do
    [ -e "$f" ] || continue
    i="${f##*/taskmanager-}"; i="${i%.*}"
    [[ "$i" =~ ^[0-9]+$ ]] && [ "$i" -ge "$n" ] && n=$((i + 1))
  done
  echo "$n"
}

show_log_tail() { # name
  local f
  for f in "$LOGS/$1.log" "$LOGS/$1.out"; do
    [ -s "$f" ] || continue
    err "---- last lines of $f"
    tail -n 25 "$f" | cut -c1-400 >&2
  done
}

# BashJavaUtils prints the JVM memory flags and the dynamic properties of a process, each line
# prefixed BASH_JAVA_UTILS_EXEC_RESULT: (as Flink's bin/config.sh reads it). Sets the arrays
# <PREFIX>_JVM and <PREFIX>_DYNAMIC.
# shellcheck disable=SC2034 # the _JVM arrays are read by launch, through ${!jvm}
JM_JVM=() JM_DYNAMIC=() TM_JVM=() TM_DYNAMIC=()
resource_params() { # JM|TM [-D key=value]…
  local prefix=$1 cmd output results
  shift
  cmd="GET_${prefix}_RESOURCE_PARAMS"
  if ! output="$("$JAVA" "${USER_JAVA_OPTS[@]+"${USER_JAVA_OPTS[@]}"}" -Dlogback.configurationFile="$CONF/logback-quiet.xml" \
      -classpath "$CP" org.apache.flink.runtime.util.bash.BashJavaUtils "$cmd" --configDir "$CONF" "$@" 2>&1)"; then
    grep -vE $'^\t(at |\.\.\. )' <<<"$output" >&2 || true
    die "Flink rejects the memory configuration (BashJavaUtils $cmd, see above)"
  fi
  results="$(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$output" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')" || true
  if [ "$(grep -c '' <<<"$results")" -ne 2 ] || [ -z "$results" ]; then
    err "$output"; die "BashJavaUtils $cmd: expected 2 result lines"
  fi
  read -r -a "${prefix}_JVM" <<<"$(head -n 1 <<<"$results")"
  read -r -a "${prefix}_DYNAMIC" <<<"$(tail -n 1 <<<"$results")"
}

launch() { # name JM|TM main-class args… → starts the JVM in the background, writes its pid file
  local name=$1 jvm="${2}_JVM[@]" main=$3 pid
  shift 3
  : >"$LOGS/$name.log"
  (
    cd "$DIR"
    exec nohup "$JAVA" "${!jvm}" "${JAVA_MODULE_OPTS[@]}" "${USER_JAVA_OPTS[@]+"${USER_JAVA_OPTS[@]}"}" \
      -Dlog.file="$LOGS/$name.log" -Dlogback.configurationFile="$CONF/logback.xml" \
      -classpath "$CP" "$main" --configDir "$CONF" "$@"
  ) >"$LOGS/$name.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDS/$name.pid"
}

start_taskmanager() { # n → taskmanager-n with resource id taskmanager-n
  local n=$1
  launch "taskmanager-$n" TM org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    "${TM_DYNAMIC[@]}" -D "taskmanager.resource-id=taskmanager-$n"
}

# Waits until REST answers and every TaskManager named is registered; fails with a log tail when a
# process dies or time runs out.
wait_ready() { # taskmanager names…
  local deadline=$((SECONDS + TIMEOUT)) body="" name missing overview
  while :; do
    for name in jobmanager "$@"; do
      alive "$(pid_of "$name")" || { show_log_tail "$name"; err "$name died while starting (logs: $LOGS)"; return 1; }
    done
    missing=""
    if body="$(http_get /taskmanagers)"; then
      for name in "$@"; do
        grep -qF "\"id\":\"$name\"" <<<"$body" || missing="$missing $name"
      done
      if [ -z "$missing" ]; then
        overview="$(http_get /overview || true)"
        say "ready in $((SECONDS - START_SECONDS)) s: $(describe_overview "$overview")"
        return 0
      fi
    else
      missing=" REST on 127.0.0.1:$PORT"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      if [[ "$missing" == *REST* ]]; then
        show_log_tail jobmanager
      else
        for name in $missing; do show_log_tail "$name"; done
      fi
      err "not ready after ${TIMEOUT} s, waiting for:$missing (logs: $LOGS)"
      return 1
    fi
    sleep 0.5
  done
}

describe_overview() { # overview json → one line
  local o=$1
  [ -n "$o" ] || { echo "REST overview unavailable"; return; }
  printf '%s taskmanagers, %s slots (%s available), %s jobs running, Flink %s, web UI and REST http://127.0.0.1:%s' \
    "$(json_number taskmanagers "$o")" "$(json_number slots-total "$o")" "$(json_number slots-available "$o")" \
    "$(json_number jobs-running "$o")" "$(sed -n 's/.*"flink-version":"\([^"]*\)".*/\1/p' <<<"$o")" "$PORT"
}

# ---------------------------------------------------------------------------------------------
# Configuration

yaml_value() { # a YAML single-quoted scalar
  local v=${1//\'/\'\'}
  printf "'%s'" "$v"
}

write_conf() { # rpc-port
  local rpc_port=$1 key kv
  local -a keys=()
  local -A conf=()
  set_conf() { [ -n "${conf[$1]+x}" ] || keys+=("$1"); conf[$1]=$2; }

  set_conf jobmanager.rpc.address 127.0.0.1
  set_conf jobmanager.rpc.port "$rpc_port"
  set_conf jobmanager.bind-host 127.0.0.1
  set_conf jobmanager.memory.process.size "$JM_MEMORY"
  set_conf jobmanager.execution.failover-strategy region
  set_conf taskmanager.bind-host 127.0.0.1
  set_conf taskmanager.host 127.0.0.1
  set_conf taskmanager.rpc.port 0
  set_conf taskmanager.data.port 0
  set_conf taskmanager.numberOfTaskSlots "$SLOTS"
  set_conf taskmanager.memory.process.size "$MEMORY"
  set_conf rest.address 127.0.0.1
  set_conf rest.bind-address 127.0.0.1
  set_conf rest.port "$PORT"
  set_conf blob.server.port 0
  set_conf metrics.internal.query-service.port 0
  set_conf parallelism.default $((SLOTS * TASKMANAGERS))
  set_conf restart-strategy.type fixed-delay
  set_conf restart-strategy.fixed-delay.attempts 3
  set_conf restart-strategy.fixed-delay.delay '2 s'
  set_conf heartbeat.interval 1000
  set_conf heartbeat.timeout 5000
  # A TaskManager that starts before the JobManager's RPC answers retries after this (default 10 s).
  set_conf cluster.registration.error-delay 1000
  set_conf io.tmp.dirs "$DIR/tmp"
  set_conf web.tmpdir "$DIR/tmp/web"
  set_conf env.java.opts.all "${JAVA_MODULE_OPTS[*]:1}"
  for kv in "${EXTRA_CONF[@]+"${EXTRA_CONF[@]}"}"; do set_conf "${kv%%=*}" "${kv#*=}"; done

  {
    echo "# Written by scripts/flink-cluster.sh start; rewritten at every start (use --conf KEY=VALUE)."
    for key in "${keys[@]}"; do printf '%s: %s\n' "$key" "$(yaml_value "${conf[$key]}")"; done
  } >"$CONF/config.yaml"
  write_logging
}

write_logging() { # the logback configurations (run rewrites them too: they hold no settings)
  # Each process logs to the file named by its log.file property (REST's /jobmanager/log and
  # /taskmanagers/ID/log serve it).
  # shellcheck disable=SC2016 # ${log.file} is for logback to expand
  local file_appender='<appender name="file" class="ch.qos.logback.core.FileAppender">
    <file>${log.file}</file>
    <append>true</append>
    <encoder><pattern>%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{60} [%thread] - %msg%n</pattern></encoder>
  </appender>'
  local stderr_appender='<appender name="stderr" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%-5level %logger{36} - %msg%n</pattern></encoder>'
  cat >"$CONF/logback.xml" <<EOF
<!-- Written by scripts/flink-cluster.sh: the JobManager and the TaskManagers. -->
<configuration>
  $file_appender
  <logger name="org.apache.flink.shaded.zookeeper3" level="WARN"/>
  <logger name="org.apache.flink.shaded.netty4" level="WARN"/>
  <root level="INFO"><appender-ref ref="file"/></root>
</configuration>
EOF
  cat >"$CONF/logback-cli.xml" <<EOF
<!-- Written by scripts/flink-cluster.sh: Flink's command-line client (run) logs to log/client.log,
     errors also on stderr. -->
<configuration>
  $file_appender
  $stderr_appender
    <filter class="ch.qos.logback.classic.filter.ThresholdFilter"><level>ERROR</level></filter>
  </appender>
  <root level="INFO"><appender-ref ref="file"/><appender-ref ref="stderr"/></root>
</configuration>
EOF
  cat >"$CONF/logback-quiet.xml" <<EOF
<!-- Written by scripts/flink-cluster.sh: BashJavaUtils, warnings only, on stderr. -->
<configuration>
  $stderr_appender
  </appender>
  <root level="WARN"><appender-ref ref="stderr"/></root>
</configuration>
EOF
}

read_state() {
  [ -f "$STATE" ] || die "no cluster started from $DIR (run start first)"
  # shellcheck disable=SC1090
  . "$STATE"
  PORT=$STATE_PORT
}

# ---------------------------------------------------------------------------------------------
# Commands

cmd_start() {
  local alive_now rpc_port n names=()
  mkdir -p "$CONF" "$LOGS" "$PIDS" "$FLINK_PLUGINS_DIR"
  alive_now="$(running | tr '\n' ' ')"
  [ -z "$alive_now" ] || die "already running from $DIR: ${alive_now% } (stop it first; status for details)"
  rm -f "$PIDS"/*.pid
  port_in_use "$PORT" && die "port $PORT on 127.0.0.1 is taken by another process (choose --port)"
  rpc_port=$((6123 + PORT - 8081))
  [ "$rpc_port" -ge 1024 ] && [ "$rpc_port" -le 65000 ] || rpc_port=6123
  while port_in_use "$rpc_port" || [ "$rpc_port" = "$PORT" ]; do rpc_port=$((rpc_port + 1)); done

  START_SECONDS=$SECONDS
  load_classpath
  rm -rf "$DIR/tmp" "$LOGS"
  mkdir -p "$DIR/tmp" "$LOGS"
  write_conf "$rpc_port"
  printf 'STATE_PORT=%s\nSTATE_RPC_PORT=%s\nSTATE_SLOTS=%s\nSTATE_MEMORY=%s\n' \
    "$PORT" "$rpc_port" "$SLOTS" "$MEMORY" >"$STATE"

  resource_params JM
  resource_params TM
  launch jobmanager JM org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "${JM_DYNAMIC[@]}"
  for ((n = 1; n <= TASKMANAGERS; n++)); do
    start_taskmanager "$n"
    names+=("taskmanager-$n")
  done
  say "starting from $DIR: jobmanager (pid $(pid_of jobmanager), RPC 127.0.0.1:$rpc_port), $TASKMANAGERS taskmanager(s) × $SLOTS slots, $MEMORY each"
  wait_ready "${names[@]}" || { err "start failed: stopping what it started"; cmd_stop >&2; exit 1; }
}

cmd_taskmanager() {
  local n extra=()
  read_state
  alive "$(pid_of jobmanager)" || die "no JobManager running from $DIR (start first)"
  START_SECONDS=$SECONDS
  load_classpath
  [ -z "$SLOTS_GIVEN" ] || extra+=(-D "taskmanager.numberOfTaskSlots=$SLOTS")
  [ -z "$MEMORY_GIVEN" ] || extra+=(-D "taskmanager.memory.process.size=$MEMORY")
  resource_params TM "${extra[@]+"${extra[@]}"}"
  n="$(next_taskmanager)"
  start_taskmanager "$n"
  say "starting taskmanager-$n (pid $(pid_of "taskmanager-$n"))"
  wait_ready "taskmanager-$n" || {
    err "stopping taskmanager-$n"
    kill -KILL "$(pid_of "taskmanager-$n")" 2>/dev/null || true
    rm -f "$PIDS/taskmanager-$n.pid"
    exit 1
  }
}

cmd_stop() {
  local name pid names=() deadline
  [ -d "$PIDS" ] || { say "nothing runs from $DIR"; return 0; }
  for name in $(recorded); do
    pid="$(pid_of "$name")"
    if alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      names+=("$name")
    else
      rm -f "$PIDS/$name.pid"
    fi
  done
  [ ${#names[@]} -gt 0 ] || { say "nothing runs from $DIR"; return 0; }
  deadline=$((SECONDS + STOP_TIMEOUT))
  while :; do
    local left=()
    for name in "${names[@]}"; do alive "$(pid_of "$name")" && left+=("$name"); done
    [ ${#left[@]} -gt 0 ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then
      for name in "${left[@]}"; do
        kill -KILL "$(pid_of "$name")" 2>/dev/null || true
        say "$name (pid $(pid_of "$name")) did not stop within ${STOP_TIMEOUT} s: killed"
      done
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  for name in "${names[@]}"; do
    say "stopped $name (pid $(pid_of "$name"))"
    rm -f "$PIDS/$name.pid"
  done
}

cmd_status() {
  local name pid any=0 dead=0 overview
  [ -f "$STATE" ] && read_state
  for name in $(recorded | grep -x jobmanager) $(recorded | grep -vx jobmanager); do
    any=1
    pid="$(pid_of "$name")"
    if alive "$pid"; then
      printf '%-16s pid %-8s alive\n' "$name" "$pid"
    else
      printf '%-16s pid %-8s dead (log: %s)\n' "$name" "$pid" "$LOGS/$name.log"
      dead=1
    fi
  done
  [ "$any" = 1 ] || { say "nothing runs from $DIR"; return 3; }
  if overview="$(http_get /overview)"; then
    echo "REST: $(describe_overview "$overview")"
  else
    echo "REST: no answer on 127.0.0.1:$PORT"
    dead=1
  fi
  [ -n "$(running)" ] || return 3
  return "$dead"
}

cmd_run() {
  [ -f "$CONF/config.yaml" ] || die "no configuration in $CONF (start the cluster first)"
  read_state
  load_classpath
  mkdir -p "$LOGS" "$FLINK_PLUGINS_DIR"
  write_logging
  case "${RUN_ARGS[0]:-}" in
    run|run-application|info|list|savepoint|stop|cancel|-h|--help|-v|--version) ;;
    *) RUN_ARGS=(run "${RUN_ARGS[@]+"${RUN_ARGS[@]}"}") ;;
  esac
  FLINK_CONF_DIR="$CONF" exec "$JAVA" "${JAVA_MODULE_OPTS[@]}" "${USER_JAVA_OPTS[@]+"${USER_JAVA_OPTS[@]}"}" \
    -Dlog.file="$LOGS/client.log" -Dlogback.configurationFile="$CONF/logback-cli.xml" \
    -classpath "$CP" org.apache.flink.client.cli.CliFrontend "${RUN_ARGS[@]+"${RUN_ARGS[@]}"}"
}

case "$COMMAND" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  taskmanager) cmd_taskmanager ;;
  run) cmd_run ;;
esac
