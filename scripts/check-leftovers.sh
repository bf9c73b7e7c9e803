#!/usr/bin/env bash
# After the test run: nothing the tests made may be left on the machine — no mount under a
# test's temporary directory, no container monitor or engine daemon of a test, no test cgroup,
# no dockerd of the tests. Prints what it finds and exits 1 when anything is left.
set -uo pipefail

left=0
report() { echo "left behind: $*" >&2; left=1; }

tmp="${TMPDIR:-/tmp}"
while read -r point; do
  case "$point" in "$tmp"/tscompose-*) report "mount $point" ;; esac
done < <(awk '{print $5}' /proc/self/mountinfo)

for d in /sys/fs/cgroup/*/tscompose-test-* /sys/fs/cgroup/*/tscompose-dockerd-*; do
  [ -e "$d" ] && report "cgroup $d"
done

for p in /proc/[0-9]*; do
  cmd=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null) || continue
  case "$cmd" in
    *conmon*"$tmp"/tscompose-*|*"engine serve"*|*dockerd*"$tmp"/tscompose-dockerd-*|*containerd*"$tmp"/tscompose-dockerd-*)
      # an engine daemon of the machine's own (default run dir) is not the tests'
      if [[ "$cmd" == *"engine serve"* ]] && ! tr '\0' '\n' < "$p/environ" 2>/dev/null | grep -q "^TSCOMPOSE_RUN=$tmp/"; then continue; fi
      report "process ${p#/proc/}: $cmd" ;;
  esac
done

exit "$left"
