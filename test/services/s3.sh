#!/usr/bin/env bash
# S3: MinIO built from source through the Go module proxy.
#   endpoint http://127.0.0.1:9000, region us-east-1, path-style addressing
#   access key `tributary`, secret key `tributary-secret` (root credentials)
#
# Why MinIO and not versitygw: MinIO is the most complete S3 implementation (SigV4 incl. chunked
# uploads, multipart, versioning, presigned URLs, bucket notifications) and `go install` works for it
# through the proxy. Its first build takes a few minutes on 2 cores; the binary is cached.
# The proxy here does not serve MinIO's RELEASE.* tag names, so the pin is the pseudo-version of the
# last upstream commit (the repository was archived in Feb 2026; it reports version DEVELOPMENT.GOGET).
# Usage: s3.sh up | down [--wipe] | status | install | smoke
set -euo pipefail
SVC=s3
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MINIO_MODULE=github.com/minio/minio
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
S3_PORT=9000
S3_ACCESS_KEY=tributary
S3_SECRET_KEY=tributary-secret
MINIO_HOME="$DIST_ROOT/minio-$MINIO_VERSION"
SVC_PORTS="$S3_PORT"
EXTRA_CMDS="smoke"

svc_info() { echo "http://127.0.0.1:$S3_PORT key $S3_ACCESS_KEY / $S3_SECRET_KEY"; }

svc_install() {
  [[ -x $MINIO_HOME/minio ]] && return 0
  command -v go >/dev/null || die "Go is required to build MinIO (go install $MINIO_MODULE@$MINIO_VERSION)"
  local tmp="$MINIO_HOME.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  log "building MinIO $MINIO_VERSION with go install (first run only, takes minutes; log $tmp/build.log)"
  if ! GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS="-buildvcs=false -trimpath" \
      go install -ldflags "-s -w" "$MINIO_MODULE@$MINIO_VERSION" >"$tmp/build.log" 2>&1; then
    tail -n 40 "$tmp/build.log" >&2
    die "MinIO build failed (log: $tmp/build.log)"
  fi
  rm -rf "$MINIO_HOME" && mv "$tmp" "$MINIO_HOME"
}

svc_start() {
  mkdir -p "$DATA_DIR"
  MINIO_ROOT_USER=$S3_ACCESS_KEY MINIO_ROOT_PASSWORD=$S3_SECRET_KEY MINIO_REGION=us-east-1 \
    MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=on \
    spawn "$MINIO_HOME/minio" server "$DATA_DIR" --address "127.0.0.1:$S3_PORT" --anonymous
}

svc_ready() {
  curl -sf -m 3 -o /dev/null "http://127.0.0.1:$S3_PORT/minio/health/ready"
}

# smoke: SigV4-signed bucket/object round trip with curl (no S3 client needed).
svc_cmd_smoke() {
  local url="http://127.0.0.1:$S3_PORT" b="tributary-smoke-$$" got
  # curl 7.x signs the headers but not the body: declare the payload unsigned (a valid SigV4 mode)
  local s3=(curl -sSf -m 10 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY"
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
  "${s3[@]}" -X PUT "$url/$b" -o /dev/null
  "${s3[@]}" -X PUT --data-binary 'hello s3' -H 'Content-Type: text/plain' "$url/$b/dir/obj.txt" -o /dev/null
  got=$("${s3[@]}" "$url/$b/dir/obj.txt")
  "${s3[@]}" "$url/$b?list-type=2" | grep -q '<Key>dir/obj.txt</Key>' || die "smoke: object not listed"
  "${s3[@]}" -X DELETE "$url/$b/dir/obj.txt" -o /dev/null
  "${s3[@]}" -X DELETE "$url/$b" -o /dev/null
  [[ $got == "hello s3" ]] || die "smoke: read back '$got'"
  if curl -sf -m 5 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:wrong" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$url/" -o /dev/null; then
    die "smoke: a wrong secret key was accepted"
  fi
  log "smoke ok: bucket $b created, object written/listed/read/deleted, wrong key rejected"
}

service_main "$@"
