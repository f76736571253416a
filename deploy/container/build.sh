#!/usr/bin/env bash
# Builds the container image of runtime-exporter with buildah (no registry needed: the image has
# no base, its files come from this machine), then runs `demo` in it with podman, the store on a
# volume, and reads /metrics from the host. Prints the image's size and the times taken.
#
#   deploy/container/build.sh [TAG]        (root, or a user podman runs containers for)
#
# Needs: swift, buildah, podman, runc (Debian: apt-get install buildah podman runc), curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
tag="${1:-runtime-exporter:latest}"
port="${RUNTIME_EXPORTER_CONTAINER_PORT:-19616}"

started=$(date +%s)
swift build -c release --static-swift-stdlib --product runtime-exporter
binary=.build/release/runtime-exporter
built=$(date +%s)

# The image's files: the binary and its resource bundles, every shared library it loads (as
# ldd finds them, links followed), CA certificates for wss:// and https://, a user and /tmp.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
rootfs="$context/rootfs"
mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc/ssl/certs" "$rootfs/tmp" "$context/store"
cp "$binary" "$rootfs/usr/local/bin/"
strip "$rootfs/usr/local/bin/runtime-exporter"
for bundle in .build/release/*.resources; do [ -e "$bundle" ] && cp -R "$bundle" "$rootfs/usr/local/bin/"; done
for library in $(ldd "$binary" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$library")"
    cp -L "$library" "$rootfs$library"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
printf 'root:x:0:0::/:/sbin/nologin\nexporter:x:65532:65532::/var/lib/runtime-exporter:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nexporter:x:65532:\n' > "$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"
cp deploy/container/Containerfile "$context/"
buildah bud --quiet --layers=false -f "$context/Containerfile" -t "$tag" "$context" >/dev/null
imaged=$(date +%s)
size=$(podman image inspect --format '{{.Size}}' "$tag")

# Containers inside a container or VM: no limits to raise (the host's stay), and runc, which
# copes with hybrid cgroups, where it is installed.
conf="$context/containers.conf"
printf '[containers]\ndefault_ulimits = []\n' > "$conf"
command -v runc >/dev/null && printf '[engine]\nruntime = "runc"\n' >> "$conf"
export CONTAINERS_CONF="$conf"

name="runtime-exporter-demo-$$"
volume="runtime-exporter-demo-$$"
podman volume create "$volume" >/dev/null
cleanup() { podman rm -f "$name" >/dev/null 2>&1 || true; podman volume rm -f "$volume" >/dev/null 2>&1 || true; rm -rf "$context"; }
trap cleanup EXIT
podman run -d --name "$name" -p "127.0.0.1:$port:9616" -v "$volume:/var/lib/runtime-exporter" "$tag" \
    demo --web.listen-address :9616 --store sqlite:/var/lib/runtime-exporter/demo.sqlite --blocks 300 --block-time 1 >/dev/null
for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null | grep -q '^runtime_system_block_number'; then break; fi
    sleep 1
done
echo "== /metrics from the host (127.0.0.1:$port), a few lines:"
curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^runtime_(system_block_number|balances_total_issuance_tokens|exporter_up)'
echo "== the process inside: user $(podman top "$name" user | tail -1 | tr -d ' '), $(podman top "$name" args | tail -1)"
echo "== the store on the volume:"
podman unshare ls -ln "$(podman volume inspect --format '{{.Mountpoint}}' "$volume")" 2>/dev/null \
    || ls -ln "$(podman volume inspect --format '{{.Mountpoint}}' "$volume")"
echo "== image $tag: $((size / 1000000)) MB; release build $((built - started)) s, image $((imaged - built)) s"
