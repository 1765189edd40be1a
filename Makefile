# netplumb — see README.md. Everything CI runs is `make lint test`.

GO        ?= go
BIN       := bin
COMMANDS  := nmpolicyctl imdsctl netrender netapplyctl
GOFLAGS   ?=
# Static binaries: they run in installers and initramfs images without a
# libc, and start 2 ms sooner than dynamically linked ones (kong pulls in
# os/user, which links libc through cgo otherwise).
export CGO_ENABLED ?= 0
BENCHTIME ?= 5x

.PHONY: all build demo test deps lint bench fuzz clean

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build $(GOFLAGS) -o $(BIN)/ $(addprefix ./cmd/,$(COMMANDS))

# The pipeline on shipped example data: no root, no network, no cloud.
demo: build
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && ex=examples/policies && \
	echo "\$$ cat current.yaml | nmpolicyctl gen $$ex/bridge-on-default-gw-dhcp/policy.yaml" && \
	cat $$ex/bridge-on-default-gw-dhcp/current.yaml | \
		$(BIN)/nmpolicyctl gen $$ex/bridge-on-default-gw-dhcp/policy.yaml -c "$$tmp/cache.yaml" && \
	echo && echo "\$$ cat current.yaml | nmpolicyctl gen $$ex/vlan-on-base-interface/policy.yaml | nmpolicyctl eval 'interfaces.type==\"vlan\"' --jq '.interfaces[].name' -r" && \
	cat $$ex/vlan-on-base-interface/current.yaml | \
		$(BIN)/nmpolicyctl gen $$ex/vlan-on-base-interface/policy.yaml -c "$$tmp/cache.yaml" | \
		$(BIN)/nmpolicyctl eval 'interfaces.type=="vlan"' --jq '.interfaces[].name' -r && \
	echo && echo "\$$ imdsctl fetch --provider gcp --metadata-file examples/imds/gcp/metadata.json --sysfs examples/imds/gcp/sys | nmpolicyctl gen examples/imds/jumbo-policy.yaml" && \
	$(BIN)/imdsctl fetch --provider gcp --metadata-file examples/imds/gcp/metadata.json --sysfs examples/imds/gcp/sys | \
		$(BIN)/nmpolicyctl gen examples/imds/jumbo-policy.yaml -c "$$tmp/cache.yaml" && \
	echo && echo "\$$ imdsctl show network --provider aws --metadata-file examples/imds/aws/metadata.json --sysfs examples/imds/aws/sys --format table" && \
	$(BIN)/imdsctl show network --provider aws --metadata-file examples/imds/aws/metadata.json --sysfs examples/imds/aws/sys --format table && \
	echo && echo "\$$ nmpolicyctl lint --strict $$ex" && \
	$(BIN)/nmpolicyctl lint --strict $$ex && echo "no problems"

# Whatever the tests need from Debian, installed when missing: the distros'
# own parsers that check netrender's output, and iproute2 for namespace
# tests. ifupdown-ng conflicts with ifupdown, so it is unpacked beside it.
DEB_PACKAGES := netplan.io ifupdown network-manager systemd udev iproute2 util-linux bash
IFUPDOWN_NG  := /opt/ifupdown-ng

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@if [ ! -x $(IFUPDOWN_NG)/sbin/ifupdown ] && [ ! -x $(IFUPDOWN_NG)/usr/sbin/ifupdown ]; then \
		tmp=$$(mktemp -d) && (cd $$tmp && apt-get download -qq ifupdown-ng >/dev/null) && \
		dpkg -x $$tmp/ifupdown-ng_*.deb $(IFUPDOWN_NG) && rm -rf $$tmp; \
	fi

test: deps
	$(GO) test $(GOFLAGS) -count=1 ./...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# Go benchmarks on large inputs (2,000 interfaces, 100,000 routes), then the
# whole-process figures (wall time, peak RSS) of nmpolicyctl gen.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./nmstate/ ./capture/
	$(GO) test -run '^$$' -bench Process -benchtime $(BENCHTIME) ./cmd/nmpolicyctl/
	$(GO) test -run '^$$' -bench AWS -benchtime $(BENCHTIME) ./imds/
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./render/
	$(GO) test -run '^$$' -bench Process -benchtime 20x ./cmd/netrender/
	$(GO) test -run '^$$' -bench . -benchtime 5x ./apply/

# A short run of every fuzz target (their seed corpora run in `make test`).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./expr/
	$(GO) test -run '^$$' -fuzz '^FuzzGenerate$$' -fuzztime $(FUZZTIME) ./capture/
	$(GO) test -run '^$$' -fuzz '^FuzzGenerateState$$' -fuzztime $(FUZZTIME) ./capture/
	$(GO) test -run '^$$' -fuzz '^FuzzLint$$' -fuzztime $(FUZZTIME) ./capture/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./nmstate/
	$(GO) test -run '^$$' -fuzz '^FuzzMarshalYAML$$' -fuzztime $(FUZZTIME) ./nmstate/
	$(GO) test -run '^$$' -fuzz '^FuzzPlan$$' -fuzztime $(FUZZTIME) ./apply/

clean:
	rm -rf $(BIN)
