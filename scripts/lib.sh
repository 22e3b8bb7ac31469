# Shared by scripts/run and scripts/test: install what is missing, build, and run a private
# MariaDB on loopback (own data directory, own socket, non-default port; no system service).
# shellcheck shell=bash

SLA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian 12 packages the service binaries build with (the container image's build stage too).
SLA_BUILD_PACKAGES=(
  build-essential cmake pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libmysqlcppconn-dev libjwt-dev libssl-dev
  libboost-dev libcli11-dev
)
# npm installs the pinned googleapis protos at configure time (protos/googleapis). A machine
# may have Node.js from elsewhere, whose npm Debian's npm package conflicts with, so Debian's
# nodejs and npm are installed only when there is no npm command at all.
# What the binaries load at run time: the container image's runtime stage installs exactly
# these (scripts/k8s-check proves the list covers every library the binaries link).
SLA_RUNTIME_PACKAGES=(
  libc6 libgcc-s1 libstdc++6 zlib1g libssl3 ca-certificates tzdata
  libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 libmysqlcppconn7v5 libmariadb3
  libjwt0 libjansson4 libb64-0d libc-ares2 libre2-9
)
# Local runs and tests: the database, the browser for rendered documents, test frameworks,
# clang for the fuzzers, clang-format and clang-tidy for the style checks.
SLA_PACKAGES=(
  "${SLA_BUILD_PACKAGES[@]}"
  libgtest-dev libgmock-dev libbenchmark-dev
  mariadb-server mariadb-client
  chromium python3 openssl tmux
  clang libclang-rt-14-dev clang-format clang-tidy
)

say() { printf '[sla] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# sla_install_packages [PACKAGE...]: apt-get install those not installed (default: SLA_PACKAGES).
sla_install_packages() {
  local wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=("${SLA_PACKAGES[@]}")
  local missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# sla_install_npm: Debian's nodejs and npm, unless an npm command is already there (see
# SLA_BUILD_PACKAGES).
sla_install_npm() {
  command -v npm >/dev/null || sla_install_packages nodejs npm
}

# sla_build DIR [cmake args...]: configure (once) and build everything in DIR.
sla_build() {
  local dir=$1; shift
  sla_install_npm
  local jobs
  jobs=$(nproc)
  cmake -S "$SLA_ROOT" -B "$dir" "$@" >/dev/null || die "cmake configure failed"
  cmake --build "$dir" -j "$jobs" || die "build failed"
}

sla_free_port() {
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# sla_mariadb_start DATADIR PORT: initialise DATADIR if new, start mariadbd on 127.0.0.1:PORT
# in the background, and wait until it answers. Root may log in only through the private
# socket, as the current OS user. SLA_MARIADB_EXTRA, if set, is appended to the server's
# options (lines of my.cnf), to measure a server setting without editing this file, e.g.
#   SLA_MARIADB_EXTRA=$'innodb_log_file_size=1G' scripts/bench load
sla_mariadb_start() {
  local datadir=$1 port=$2
  mkdir -p "$datadir"
  datadir=$(cd "$datadir" && pwd)
  local me
  me=$(id -un)
  if [ ! -d "$datadir/data/mysql" ]; then
    say "initialising MariaDB data directory $datadir/data"
    mariadb-install-db --no-defaults --datadir="$datadir/data" --user="$me" \
      --auth-root-authentication-method=socket --auth-root-socket-user="$me" \
      --skip-test-db >"$datadir/install.log" 2>&1 || { cat "$datadir/install.log"; die "mariadb-install-db failed"; }
  fi
  # A CA of its own and a server certificate for 127.0.0.1/localhost: clients may connect over
  # TLS (services with --db_tls_ca, and the tests of it); plaintext stays allowed on loopback.
  if [ ! -f "$datadir/tls/server.pem" ]; then
    mkdir -p "$datadir/tls"
    (cd "$datadir/tls" && ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes' &&
      openssl req -x509 $ec -keyout ca.key -out ca.pem -days 3650 -subj /CN=sla-local-db-ca &&
      printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext &&
      openssl req $ec -keyout server.key -out server.csr -subj /CN=localhost &&
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile server.ext -out server.pem) >"$datadir/tls.log" 2>&1 || { cat "$datadir/tls.log"; die "openssl failed"; }
  fi
  cat >"$datadir/my.cnf" <<CNF
[mariadbd]
datadir=$datadir/data
socket=$datadir/mysqld.sock
pid-file=$datadir/mysqld.pid
port=$port
bind-address=127.0.0.1
user=$me
skip-name-resolve
log-error=$datadir/error.log
# Durable commits: every COMMIT reaches the disk before it is acknowledged (the services
# check it at start). No binary log: a private server has no replicas, so sync_binlog would
# do nothing here; a production server with a binlog needs sync_binlog=1, also checked.
innodb_flush_log_at_trx_commit=1
innodb_buffer_pool_size=512M
max_connections=500
character-set-server=utf8mb4
collation-server=utf8mb4_bin
ssl_ca=$datadir/tls/ca.pem
ssl_cert=$datadir/tls/server.pem
ssl_key=$datadir/tls/server.key
${SLA_MARIADB_EXTRA:-}
CNF
  if [ -f "$datadir/mysqld.pid" ] && kill -0 "$(cat "$datadir/mysqld.pid")" 2>/dev/null; then
    say "MariaDB already running (pid $(cat "$datadir/mysqld.pid"))"
  else
    mariadbd --defaults-file="$datadir/my.cnf" >/dev/null 2>&1 &
  fi
  for _ in $(seq 1 120); do
    if mariadb --no-defaults --socket="$datadir/mysqld.sock" -uroot -e "SELECT 1" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  tail -20 "$datadir/error.log" >&2
  die "MariaDB did not start"
}

# sla_mariadb_sql DATADIR SQL...: run SQL as root through the private socket.
sla_mariadb_sql() {
  local datadir=$1; shift
  mariadb --no-defaults --socket="$datadir/mysqld.sock" -uroot -e "$*"
}

sla_mariadb_stop() {
  local datadir=$1
  [ -f "$datadir/mysqld.pid" ] || return 0
  local pid
  pid=$(cat "$datadir/mysqld.pid")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
}

sla_random_secret() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# sla_test_mariadb DIR: a throwaway MariaDB in DIR on a free loopback port, with an account for
# tests and benchmarks, exported as SLA_TEST_MYSQL_HOST/_PORT/_USER/_PASSWORD. The same account
# logs in on the server's Unix-domain socket, exported as SLA_TEST_MYSQL_SOCKET, and over TLS with
# the server's CA, exported as SLA_TEST_MYSQL_TLS_CA. The caller stops
# it with sla_mariadb_stop DIR.
sla_test_mariadb() {
  local dir=$1 port password
  port=$(sla_free_port)
  say "starting throwaway MariaDB on 127.0.0.1:$port"
  sla_mariadb_start "$dir" "$port"
  password=$(sla_random_secret)
  # Socket connections log in as user@'localhost'.
  sla_mariadb_sql "$dir" "CREATE USER 'sla_test'@'127.0.0.1' IDENTIFIED BY '$password';
    GRANT ALL PRIVILEGES ON *.* TO 'sla_test'@'127.0.0.1';
    CREATE USER 'sla_test'@'localhost' IDENTIFIED BY '$password';
    GRANT ALL PRIVILEGES ON *.* TO 'sla_test'@'localhost'; FLUSH PRIVILEGES;"
  export SLA_TEST_MYSQL_HOST=127.0.0.1 SLA_TEST_MYSQL_PORT=$port SLA_TEST_MYSQL_USER=sla_test
  export SLA_TEST_MYSQL_PASSWORD=$password SLA_TEST_MYSQL_SOCKET=$(cd "$dir" && pwd)/mysqld.sock
  export SLA_TEST_MYSQL_TLS_CA=$(cd "$dir" && pwd)/tls/ca.pem
}
