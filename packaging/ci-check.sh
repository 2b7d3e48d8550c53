#!/usr/bin/env bash
# CI's package check (called by .ci/run after `swift test`): builds the Debian package,
# installs it on this machine, checks what it installed, removes it, and checks that nothing
# but conffiles stays behind. Needs root (dpkg -i).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH:/usr/sbin:/sbin"

started=$SECONDS
deb="$(packaging/build-deb.sh | tail -n 1)"
echo "built $deb in $((SECONDS - started))s"
if command -v lintian >/dev/null; then
    # Reported, not fatal: the README explains the tags that remain.
    lintian --tag-display-limit 0 --display-info "$deb" || true
fi

# Not installed before (a left-over from an interrupted run is removed first).
if dpkg-query -W -f='${Status}' reconcile 2>/dev/null | grep -q "install ok installed"; then dpkg -r reconcile; fi
dpkg -i "$deb"
trap 'dpkg -r reconcile >/dev/null 2>&1 || true' EXIT

version="$(tr -d ' \n' < VERSION)"
[ "$(/usr/bin/reconcile --version)" = "$version" ] || { echo "reconcile --version is not $version" >&2; exit 1; }
# Its malloc is tcmalloc (Sources/reconcile/Allocator.swift), a dependency of the package.
dpkg-query -W -f='${Depends}' reconcile | grep -q "libtcmalloc-minimal4" ||
    { echo "the package does not depend on libtcmalloc-minimal4" >&2; exit 1; }
MALLOCSTATS=1 /usr/bin/reconcile --version 2>&1 >/dev/null | grep -q "Bytes in use by application" ||
    { echo "the packaged reconcile does not allocate through tcmalloc" >&2; exit 1; }

# The packaged example: the §1 outage, exit 2.
examples=/usr/share/doc/reconcile/examples
state="$(mktemp -d)"
status=0
plan="$(cd /tmp && /usr/bin/reconcile plan --no-color --desired "$examples/desired-state" --state-dir "$state")" ||
    status=$?
rm -rf "$state"
echo "$plan"
[ "$status" -eq 2 ] || { echo "plan on the packaged example exited $status, not 2" >&2; exit 1; }
grep -q "critical RC001 advertised-not-served" <<<"$plan" || { echo "plan did not show the outage" >&2; exit 1; }

systemd-analyze verify /lib/systemd/system/reconcile.service /lib/systemd/system/reconcile.timer
grep -qx 'ExecStart=/usr/bin/reconcile .*' /lib/systemd/system/reconcile.service ||
    { echo "reconcile.service does not run /usr/bin/reconcile" >&2; exit 1; }
if systemctl is-enabled reconcile.timer >/dev/null 2>&1; then echo "the timer was enabled on install" >&2; exit 1; fi
man -w reconcile
for completion in /usr/share/bash-completion/completions/reconcile /usr/share/zsh/vendor-completions/_reconcile \
    /usr/share/fish/vendor_completions.d/reconcile.fish; do
    [ -s "$completion" ] || { echo "missing completion $completion" >&2; exit 1; }
done

conffiles="$(dpkg-query -W -f='${Conffiles}\n' reconcile | awk 'NF { print $1 }')"
files="$(dpkg -L reconcile)"
trap - EXIT
dpkg -r reconcile
left=()
while IFS= read -r path; do
    [ -n "$path" ] && [ -f "$path" ] && ! grep -qxF "$path" <<<"$conffiles" && left+=("$path")
done <<<"$files"
[ -e /usr/share/doc/reconcile ] && left+=(/usr/share/doc/reconcile)
if ((${#left[@]})); then
    printf 'left behind by dpkg -r: %s\n' "${left[@]}" >&2
    exit 1
fi
echo "package check passed: installed, checked and removed reconcile $version"
