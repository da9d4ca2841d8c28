#!/usr/bin/env bash
# Rebuilds testdata/go-app: a real Go 1.19 binary whose build info has a main module, a dependency
# replaced by a local directory, and build settings. Needs Debian's golang-go. Not run by the tests.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)/go-app
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
mkdir -p "$W/app" "$W/lib"
printf 'module example.com/lib\n\ngo 1.19\n' > "$W/lib/go.mod"
printf 'package lib\nfunc Hello() string { return "hi" }\n' > "$W/lib/lib.go"
printf 'module example.com/app\n\ngo 1.19\n\nrequire example.com/lib v1.2.3\n\nreplace example.com/lib v1.2.3 => ../lib\n' > "$W/app/go.mod"
printf 'package main\nimport ("fmt"; "example.com/lib")\nfunc main() { fmt.Println(lib.Hello()) }\n' > "$W/app/main.go"
(cd "$W/app" && GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$out" .)
go version -m "$out"
