# hexa-monolith — the commands a user runs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Node ≥ 22.19 is required. An older system Node gets the version in .nvmrc from the npm registry
# (the `node` package ships the binary) in the git-ignored .tools folder.
NODE_VERSION := $(shell cat .nvmrc)
TOOLS_DIR    := $(CURDIR)/.tools
SYSTEM_NODE_OK := $(shell node scripts/require-node.js 2>/dev/null && echo yes)
ifneq ($(SYSTEM_NODE_OK),yes)
NODE_DIR := $(TOOLS_DIR)/node/node_modules/node/bin
export PATH := $(NODE_DIR):$(PATH)
NODE_DEP := $(NODE_DIR)/node
endif
BIN := node_modules/.bin

.PHONY: help deps run dev test check typecheck lint arch unit build migrate seed module openapi clean
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(TOOLS_DIR)/node/node_modules/node/bin/node:
	npm install --prefix $(TOOLS_DIR)/node --no-save --no-package-lock --no-audit --no-fund node@$(NODE_VERSION)

# Reinstall when node_modules is missing or older than the lockfile. Dev dependencies too, even
# with NODE_ENV=production exported: the targets below need the compiler, tests and PostgreSQL.
node_modules/.installed: package-lock.json $(NODE_DEP)
	npm ci --include=dev --no-audit --no-fund
	@touch $@

deps: node_modules/.installed ## install Node (when the system one is too old) and the dependencies

run: deps ## serve the API (starts an embedded PostgreSQL when DATABASE_URL is unset; EMBEDDED_PG_PORT, PORT)
	node scripts/run.ts node src/main.ts

dev: deps ## like run, restarting the server when a source file changes
	node scripts/run.ts node --watch src/main.ts

test: check unit ## type-check, lint, architecture rules and every test

check: typecheck lint arch ## static checks only

typecheck: deps ## type-check with TypeScript 7
	$(BIN)/tsc --noEmit -p tsconfig.json

# One style everywhere: src and test are written in it; scripts and bench are also held to it by the formatter.
lint: deps ## lint with Biome; scripts/ and bench/ also through its formatter
	$(BIN)/biome lint --error-on-warnings src test scripts bench
	$(BIN)/biome format scripts bench

# dependency-cruiser reads TypeScript through TypeScript 5's compiler API (TypeScript 7 has none yet),
# so it keeps its own small install beside the project's.
ARCH_DIR := tools/architecture
$(ARCH_DIR)/node_modules/.installed: $(ARCH_DIR)/package-lock.json $(NODE_DEP)
	npm ci --prefix $(ARCH_DIR) --include=dev --no-audit --no-fund
	@touch $@

arch: deps $(ARCH_DIR)/node_modules/.installed ## architecture rules (dependency-cruiser)
	$(ARCH_DIR)/node_modules/.bin/depcruise src --config .dependency-cruiser.cjs

unit: deps $(ARCH_DIR)/node_modules/.installed ## the tests only (vitest), with coverage and its floors; some of them: make unit FILE=test/modules/users
	$(BIN)/vitest run $(if $(FILE),$(FILE),--coverage)

build: deps ## compile to plain JavaScript in dist/ (what the container runs)
	rm -rf dist && $(BIN)/tsc -p tsconfig.build.json

migrate: deps ## apply database migrations
	node scripts/run.ts node src/cli.ts migrate

seed: deps ## fill the database with demo data (size: SEED="--users 1000 --articles 20000")
	node scripts/run.ts node src/cli.ts seed $(SEED)

module: deps ## add a module: make module NAME=<plural-noun> (e.g. bookmarks; SINGULAR=… for an irregular plural)
	@node scripts/new-module.ts "$(NAME)" $(SINGULAR)

openapi: deps ## print the OpenAPI document
	@node src/cli.ts openapi

clean: ## remove build output and installed tools (keeps the local database)
	rm -rf dist node_modules .tools

# ---------------------------------------------------------------------------------------------
# Delivery: local stack, image, offline checks of every delivery file.
# Debian's promtool, amtool, shellcheck and kubectl are unpacked into .tools/debian by
# scripts/validate/tools.sh (apt-get download + dpkg -x: nothing installed, no service started).
# ---------------------------------------------------------------------------------------------
.PHONY: up down image validate validate-tools validate-checks validate-selftest rehearse

COMPOSE := docker compose -p hexa-monolith

up: ## start the local stack in Docker: PostgreSQL, migrations, app, collector, Jaeger, Prometheus
	$(COMPOSE) up -d --build --wait app

down: ## stop the local stack (add V=1 to also delete the database volume)
	$(COMPOSE) --profile logs down $(if $(V),--volumes,)

image: ## build the container image hexa-monolith:local
	docker build -t hexa-monolith:local .

validate-tools:
	@bash scripts/validate/tools.sh

validate-checks: deps validate-tools
	node scripts/validate/main.ts

validate-selftest: deps validate-tools
	$(BIN)/vitest run --config scripts/validate/vitest.config.ts

rehearse: deps validate-tools ## the image's steps without Docker: clean install + build in a temp folder, started as the image starts
	node scripts/validate/rehearse.ts

validate: validate-checks validate-selftest rehearse ## offline checks: k8s schemas, alerts, workflows, Dockerfile, compose, configs, scripts

# ---------------------------------------------------------------------------------------------
# Benchmark: embedded PostgreSQL, seeded dataset, the production build against a raw
# node:http + pg floor, autocannon on loopback. Report in bench/results/. See bench/README.md.
# BENCH_DURATION=3 for a quick look; PROFILE=1 adds a --cpu-prof profile of one scenario.
# ---------------------------------------------------------------------------------------------
.PHONY: bench

bench: build ## benchmark the production build against a raw floor; report in bench/results/
	node bench/run.ts
