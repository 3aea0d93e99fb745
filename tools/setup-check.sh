#!/bin/sh
# Runs the README's set-up, exactly as written there, on a stock Debian 12 or Ubuntu 24.04 made
# with debootstrap: as an ordinary user with sudo, from a fresh clone of this checkout's HEAD.
#   sudo tools/setup-check.sh bookworm /var/tmp/sp-bookworm     (or: noble /var/tmp/sp-noble)
# Needs root, debootstrap and the network (the distribution's archive and PyPI). Prints the
# build's summary and the test run's last line; the chroot is kept for a look afterwards.
# Where outgoing TLS is intercepted, set SETUP_CHECK_CA to the CA bundle to trust in the chroot.
set -eu
dist=${1:?bookworm or noble}; root=${2:?a folder for the chroot}
here=$(cd "$(dirname "$0")/.." && pwd)
case $dist in
  bookworm) mirror=http://deb.debian.org/debian; sources="deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main";;
  noble) mirror=http://archive.ubuntu.com/ubuntu; sources="deb $mirror noble main universe
deb $mirror noble-updates main universe
deb http://security.ubuntu.com/ubuntu noble-security main universe"
         [ -e /usr/share/debootstrap/scripts/noble ] || ln -s gutsy /usr/share/debootstrap/scripts/noble;;
  *) echo "unknown distribution: $dist" >&2; exit 2;;
esac
[ -x "$root/bin/sh" ] || debootstrap --variant=minbase "$dist" "$root" "$mirror"
printf '%s\n' "$sources" > "$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
for fs in proc dev dev/pts; do mountpoint -q "$root/$fs" || mount --bind "/$fs" "$root/$fs"; done
mountpoint -q "$root/dev/shm" || mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
if [ -n "${SETUP_CHECK_CA:-}" ]; then
  mkdir -p "$root/etc/setup-check"; cp "$SETUP_CHECK_CA" "$root/etc/setup-check/ca.crt"
  printf '[global]\ncert = /etc/setup-check/ca.crt\n' > "$root/etc/pip.conf"
fi
chroot "$root" sh -c 'command -v sudo >/dev/null || { apt-get update -qq && apt-get install -y -qq sudo >/dev/null; }
  id dev >/dev/null 2>&1 || useradd -m -s /bin/bash dev
  echo "dev ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/dev'
rm -rf "$root/home/dev/studypack"
git clone -q "$here" "$root/home/dev/studypack"
# The README's three set-up blocks (apt and venv, install and build, install and test), in order.
awk '/^## Set up/{on=1; next} /^## /{on=0} on && /^```sh/{code=1; next} code && /^```/{code=0; next}
     code' "$here/README.md" > "$root/home/dev/readme-steps.sh"
chroot "$root" chown -R dev:dev /home/dev/studypack /home/dev/readme-steps.sh
echo "== the README's set-up, as written:"; cat "$root/home/dev/readme-steps.sh"
chroot "$root" su - dev -c 'cd ~/studypack && export DEBIAN_FRONTEND=noninteractive &&
  set -e && . ~/readme-steps.sh' > "$root/home/dev/setup-check.log" 2>&1 || {
  tail -30 "$root/home/dev/setup-check.log"; echo "== FAILED on $dist"; exit 1; }
grep -E '^output/|files, .* pages|passed|failed' "$root/home/dev/setup-check.log"
echo "== the README's set-up works on $dist (log: $root/home/dev/setup-check.log)"
