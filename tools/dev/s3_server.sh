#!/usr/bin/env bash
# A real S3 server for the tests of remote/: a single-node Ceph (one monitor,
# one memstore OSD, no manager) with radosgw on loopback, from Debian 12's
# packages (tools/dev/install_deps.sh installs them). Everything lives under
# one directory ($PITR_S3_DIR, default /tmp/pitr-s3); nothing touches /etc/ceph
# or /var/lib/ceph.
#
#   tools/dev/s3_server.sh start    # starts it, unless it is already running
#   tools/dev/s3_server.sh stop     # stops it by the daemons' pids; removes DIR
#   tools/dev/s3_server.sh status   # exit 0 if S3 answers
#   tools/dev/s3_server.sh env      # prints the PITR_S3_* variables the tests read
#
# `start` waits until S3 answers, creates a user with fixed test keys and a
# bucket, and writes the variables to DIR/env (shell syntax, one per line).
# Ports: $PITR_S3_PORT (S3, default 7481) and $PITR_S3_MON_PORT (the
# monitor, default 6799). Data is in memory (memstore): stop loses it.
set -euo pipefail

dir=${PITR_S3_DIR:-/tmp/pitr-s3}
s3_port=${PITR_S3_PORT:-7481}
mon_port=${PITR_S3_MON_PORT:-6799}
access_key=pitr-test-access-key
secret_key=pitr-test-secret-key
bucket=pitr-test
conf=$dir/ceph.conf
setup_log=$dir/log/setup.log
rgw_name=client.rgw.pitr

say() { echo "s3_server: $*" >&2; }

# A ceph CLI call that cannot hang the script.
ceph_cmd() { timeout 20 ceph --conf "$conf" --connect-timeout 10 "$@"; }

# Exit status 0 when S3 answers an anonymous request (any HTTP status).
answers() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
    "http://127.0.0.1:$s3_port/" 2>/dev/null) || return 1
  [ "$code" != "000" ]
}

# Waits up to $2 seconds for the command "$1" to succeed.
wait_for() {
  local what=$1 seconds=$2 i
  for ((i = 0; i < seconds * 5; i++)); do
    if eval "$what"; then return 0; fi
    sleep 0.2
  done
  return 1
}

print_env() {
  cat <<EOF
PITR_S3_ENDPOINT=http://127.0.0.1:$s3_port
PITR_S3_ACCESS_KEY=$access_key
PITR_S3_SECRET_KEY=$secret_key
PITR_S3_BUCKET=$bucket
EOF
}

write_conf() {
  local fsid=$1
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon data avail crit = 0
mon allow pool delete = true
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
keyring = /dev/null

[mon.a]
mon data = $dir/mon
public addr = v1:127.0.0.1:$mon_port

[osd.0]
osd data = $dir/osd
osd objectstore = memstore
# The OSD is placed in the CRUSH map here, by start; left to itself at boot it
# is at times refused by the monitor ("wrong fsid") and exits.
osd crush update on start = false
osd class update on start = false
memstore device bytes = 4294967296
osd max object name len = 256
osd max object namespace len = 64

[$rgw_name]
rgw frontends = beast endpoint=127.0.0.1:$s3_port
rgw data = $dir/rgw
ms mon client mode = crc
rgw dns name = 127.0.0.1
# Space of deleted objects goes back to the memstore within seconds, not
# the default two hours: benchmarks write gigabytes and delete them.
rgw gc obj min wait = 0
rgw gc processor period = 10
rgw gc processor max time = 10
EOF
}

# Stops what a failed start left running (its logs stay) and exits.
fail() {
  say "$1; see $dir/log/"
  stop_daemons
  exit 1
}

start() {
  trap 'fail "start failed at line $LINENO"' ERR
  if [ -f "$dir/env" ] && answers; then
    say "already running on port $s3_port ($dir)"
    return 0
  fi
  stop_daemons
  local started=$SECONDS
  rm -rf "$dir"
  mkdir -p "$dir"/{run,log,mon,osd,rgw}
  local fsid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"

  # A monmap naming mon.a at its address: one derived from "mon host" alone
  # has an unnamed monitor, and mon.a then waits to join a cluster forever.
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" \
    "$dir/monmap" >>"$setup_log" 2>&1
  ceph-mon --conf "$conf" --id a --mkfs --monmap "$dir/monmap" \
    --keyring /dev/null >>"$setup_log" 2>&1
  ceph-mon --conf "$conf" --id a >>"$setup_log" 2>&1
  wait_for 'ceph_cmd mon stat >/dev/null 2>&1' 30 || fail "the monitor did not come up"

  # The OSD's uuid is given to both sides.
  local osd_id osd_uuid
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$(ceph_cmd osd create "$osd_uuid")
  ceph_cmd osd crush add "osd.$osd_id" 1 root=default >>"$setup_log" 2>&1
  ceph-osd --conf "$conf" --id "$osd_id" --mkfs --osd-uuid "$osd_uuid" \
    >>"$setup_log" 2>&1
  ceph-osd --conf "$conf" --id "$osd_id" >>"$setup_log" 2>&1
  wait_for "ceph_cmd osd stat 2>/dev/null | grep -q '1 up'" 60 || fail "the OSD did not come up"

  radosgw --conf "$conf" --name "$rgw_name" >>"$setup_log" 2>&1
  wait_for answers 90 || fail "radosgw did not answer on port $s3_port"
  radosgw-admin --conf "$conf" user create --uid=pitr-test \
    --display-name="pitr tests" --access-key="$access_key" \
    --secret-key="$secret_key" >>"$setup_log" 2>&1
  # The bucket, signed with the test keys by curl itself.
  curl -sf -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$access_key:$secret_key" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    "http://127.0.0.1:$s3_port/$bucket" >/dev/null ||
    fail "could not create bucket $bucket"
  print_env >"$dir/env"
  say "S3 ready on http://127.0.0.1:$s3_port in $((SECONDS - started)) s ($dir)"
}

# Stops every daemon whose pid file is in DIR/run, waiting for each to exit.
# A pid is signalled only if it is still one of our daemons (its command
# line names our ceph.conf): a stale file's pid may belong to anything now.
stop_daemons() {
  local f pid i
  for f in "$dir"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$conf" &&
      kill "$pid" 2>/dev/null; then
      for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
    rm -f "$f"
  done
}

stop() {
  stop_daemons
  rm -rf "$dir"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) [ -f "$dir/env" ] && answers ;;
  env)
    if [ -f "$dir/env" ]; then cat "$dir/env"; else print_env; fi
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
