# Shoal's verbs. Every target runs with a Node.js >= 22.15 first on PATH: the machine's own
# when it is new enough, otherwise node@24 from the npm registry, cached outside the repo.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export SHOAL_CACHE ?= $(HOME)/.cache/shoal
NODE_VERSION := 24.21.0
NODE_HOME := $(SHOAL_CACHE)/node-$(NODE_VERSION)

MACHINE_NODE_OK := $(shell node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=15)?0:1)' 2>/dev/null && echo yes)
ifeq ($(MACHINE_NODE_OK),yes)
NODE_PROVISIONED :=
else
NODE_PROVISIONED := $(NODE_HOME)/node_modules/.bin/node
export PATH := $(NODE_HOME)/node_modules/.bin:$(PATH)
endif

# Run TypeScript sources directly (Node strips types); packages export src/ under this condition.
export NODE_OPTIONS := --conditions=shoal-source $(NODE_OPTIONS)

.PHONY: help node install build typecheck lint format test test-unit deps-up deps-down deps-status \
        kube-up kube-down kube-status bench bench-kit bench-auth bench-events bench-gateway bench-consumers bench-deployer deploy dev clean \
        tracing-up tracing-down tracing-build test-security test-reliability \
        kind-up kind-down kind-status test-kind

help: ## list the verbs
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(NODE_HOME)/node_modules/.bin/node:
	@echo "provisioning Node.js $(NODE_VERSION) into $(NODE_HOME) (machine node is older than 22.15)"
	mkdir -p $(NODE_HOME)
	npm install --prefix $(NODE_HOME) --no-save --no-audit --no-fund --loglevel=error node@$(NODE_VERSION)
	$@ --version

node: $(NODE_PROVISIONED) ## make sure a Node.js >= 22.15 is on PATH
	@echo "node $$(node --version) at $$(command -v node)"

node_modules/.install-stamp: package.json package-lock.json $(wildcard */package.json */*/package.json) | $(NODE_PROVISIONED)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: node_modules/.install-stamp ## install npm dependencies (npm ci)

build: install ## compile every package to dist/ (tsc -b)
	npx tsc -b

# Project references need their declarations emitted (tsc refuses -b --noEmit), so the type
# check is the incremental build itself: dist/ is git-ignored and a second run is quick.
typecheck: build ## type-check every package

lint: install ## eslint + prettier --check
	npx eslint --max-warnings 0 .
	npx prettier --check .

format: install ## prettier --write
	npx prettier --write .

deps-up: ## start PostgreSQL, Redis, FerretDB and ElasticMQ on 127.0.0.1 (idempotent)
	testbed/deps.sh up

deps-down: ## stop the dependencies started by deps-up
	testbed/deps.sh down

deps-status: ## show which dependencies are running
	testbed/deps.sh status

kube-up: ## start the Kubernetes testbed (apiserver, controllers, scheduler, kwok nodes)
	testbed/kube/kube.sh up

kube-down: ## stop the Kubernetes testbed
	testbed/kube/kube.sh down

kube-status: ## show the Kubernetes testbed
	testbed/kube/kube.sh status

kind-up: install ## the real kind cluster of kind-config.yaml (Docker engine, kind; node image and offline images built here when no registry answers)
	testbed/kind/kind.sh up

kind-down: ## delete the kind cluster, and stop the Docker engine if kind-up started it
	testbed/kind/kind.sh down

kind-status: ## show the Docker engine, the kind cluster's nodes and system pods
	testbed/kind/kind.sh status

tracing-build: ## build the trace backend (Jaeger v2 from the Go module proxy) once into the cache
	testbed/tracing/tracing.sh build

tracing-up: ## start Jaeger (OTLP/HTTP 127.0.0.1:54318, query and UI 127.0.0.1:56686; idempotent)
	testbed/tracing/tracing.sh up

tracing-down: ## stop Jaeger
	testbed/tracing/tracing.sh down

dev: install deps-up tracing-up ## the whole platform on this machine (gateway http://127.0.0.1:8080); Ctrl-C stops it
	cd e2e && node src/dev.ts

test-unit: install ## run every package's tests (dependencies must be up)
	npm test --workspaces --if-present

test-security: install deps-up ## the security suite alone (JWT attacks, authorization matrices, hostile input, schemathesis, secrets in logs)
	cd e2e && npx mocha --no-config --extension ts --timeout 180000 security/security.test.ts

test-reliability: install deps-up ## the reliability suite alone (rolling restarts, kill -9, database/SQS/Redis outages on private servers)
	cd e2e && npx mocha --no-config --extension ts --timeout 180000 'reliability/*.test.ts'

test-kind: install deploy ## the kind suite on the real cluster after make deploy: shoal status, Pod Security, the user journey, probes
	cd e2e && npx mocha --no-config --extension ts --timeout 600000 --reporter ./kind/support/failure-reporter.ts 'kind/*.test.ts'

# The kind suite runs even when a unit suite failed (both results count), after them: the
# real cluster and the suites would otherwise share two cores.
test: install lint typecheck deps-up kube-up tracing-build ## everything CI runs: lint, typecheck, start testbeds, all tests, then the kind cluster suite
	@status=0; \
	$(MAKE) --no-print-directory test-unit || status=$$?; \
	$(MAKE) --no-print-directory test-kind || status=$$?; \
	exit $$status

bench-kit: install deps-up ## kit overhead: createService vs bare Express
	npm run --workspace @shoal/bench kit-overhead

bench-auth: install deps-up ## auth: token verification, login latency, register+login+refresh throughput
	npm run --workspace @shoal/bench auth

bench-events: install deps-up ## event hub: events/s through ingest and fan-out, publish-to-subscriber lag
	npm run --workspace @shoal/bench events

bench-gateway: install deps-up ## gateway vs direct vs nginx: rps, p50, p99 and ratios
	command -v /usr/sbin/nginx >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light)
	npm run --workspace @shoal/bench gateway

bench-consumers: install deps-up ## notification and reporting consumers: events/s, enqueue-to-effect p99
	npm run --workspace @shoal/bench --if-present consumers-notification
	npm run --workspace @shoal/bench --if-present consumers-reporting

bench-deployer: install kube-up ## shoal deploy (cold, and with nothing to change) vs sequential helm upgrade --install --wait
	npm run --workspace @shoal/bench deployer

bench: bench-kit bench-auth bench-events bench-gateway bench-consumers bench-deployer ## every benchmark

.PHONY: soak
soak: install deps-up ## the whole platform under a mixed load for minutes (SOAK_RATE req/s, SOAK_DURATION_S): errors, p50/p99, RSS trend
	npm run --workspace @shoal/bench soak

deploy: install kind-up ## the platform on the local kind cluster: kind-up, then shoal up (build, load, deploy, URLs)
	PATH="$$(testbed/kind/kind.sh tool-path):$$PATH" SHOAL_HELM="$$(testbed/helm/helm.sh ensure)" deployer/bin/shoal up

clean: ## remove build outputs (not the caches)
	rm -rf node_modules */node_modules */*/node_modules */dist */*/dist coverage */coverage */*/coverage
