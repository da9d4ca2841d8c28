# Two commands for a fresh clone: `make demo` and `make test`. Everything else is a building block.
SHELL := /bin/bash
NODE_MODULES := node_modules/.package-lock.json

.PHONY: all install build demo test test-deps lint format clean bench docs

all: build

# npm writes node_modules/.package-lock.json on every install; reinstall when the lock file changes.
$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(NODE_MODULES)

build: $(NODE_MODULES)
	npm run --silent build

demo: build
	@echo "== kubeward scan manifests examples/shop (the example app's manifests)"
	node dist/cli/main.js scan manifests examples/shop --config examples/shop/.kubeward.yaml --fail-on none

# Installs the system packages integration tests use (Debian/Ubuntu as root), then runs every test.
test: build test-deps
	npm run --silent typecheck
	npm run --silent lint
	npm test

test-deps:
	@bash scripts/install-test-deps.sh

lint: $(NODE_MODULES)
	npm run --silent lint

format: $(NODE_MODULES)
	npm run --silent format

docs: build
	node dist/cli/main.js checks list --format markdown --output docs/checks.md

bench: build
	npm run --silent bench

clean:
	rm -rf dist dist-check
