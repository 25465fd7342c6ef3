#!/usr/bin/env bash
# Builds the local test image from Debian's static busybox with `docker import`,
# because no registry is reachable here: nothing in the tests may ever pull.
# Usage: scripts/build-test-image.sh [--force]
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The image name lives only in this file so bash and TypeScript cannot drift apart.
image=$(tr -d '[:space:]' < "$repo_root/tests/fixtures/test-image")
busybox=${BUSYBOX:-/bin/busybox}

force=0
case "${1:-}" in
  --force) force=1 ;;
  '') ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

if [[ $force -eq 0 ]] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "test image $image already exists (use --force to rebuild)"
  exit 0
fi

if [[ ! -x $busybox ]]; then
  echo "error: $busybox not found; install Debian's busybox-static" >&2
  exit 1
fi
# The image has no shared libraries, so a dynamically linked busybox would not start in it.
if ldd "$busybox" >/dev/null 2>&1; then
  echo "error: $busybox is dynamically linked; install Debian's busybox-static" >&2
  exit 1
fi

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
rootfs=$workdir/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/root" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
chmod 755 "$rootfs/bin/busybox"

while read -r applet; do
  [[ -n $applet && $applet != busybox ]] || continue
  ln -s busybox "$rootfs/bin/$applet"
done < <("$busybox" --list)

cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP

old_id=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)

tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$workdir/rootfs.tar" .
docker import \
  --change 'ENV PATH=/bin' \
  --change 'CMD ["/bin/sh"]' \
  "$workdir/rootfs.tar" "$image" >/dev/null
# A rebuild leaves the previous image untagged; drop it unless a container still uses it.
if [[ -n $old_id && $old_id != "$(docker image inspect --format '{{.Id}}' "$image")" ]]; then
  docker image rm "$old_id" >/dev/null 2>&1 || true
fi
echo "built test image $image from $busybox"
