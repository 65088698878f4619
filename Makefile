# Hushbox: the two commands a newcomer needs (README.md).
#   make run   installs what is missing, builds, starts hushboxd on the development configuration
#   make test  installs what is missing, builds, runs every test
# Both work on a fresh Debian 12 machine as root (or with sudo).

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Debian packages the build links against (the system-library targets).
BUILD_PACKAGES := pkg-config libsrtp2-dev libopus-dev libasound2-dev \
                  libsqlite3-dev libssl-dev libargon2-dev \
                  libspandsp-dev libspeexdsp-dev libgpiod-dev libsndfile1-dev
# Debian packages the tests drive as real peers and tools.
TEST_PACKAGES := baresip-core sip-tester kamailio kamailio-tls-modules dnsmasq-base opus-tools espeak-ng sox python3 python3-venv strace systemd \
                 chromium chromium-driver
# The API fuzzer the hostile-network suite runs against hushbox-ingest (PyPI, pinned).
SCHEMATHESIS := .build/test-tools/schemathesis/bin/schemathesis
SCHEMATHESIS_VERSION := 4.32.5
# What drives Debian's chromium through chromium-driver in the web console's browser test (PyPI, pinned).
SELENIUM_VERSION := 4.45.0
SELENIUM := .build/test-tools/browser/selenium-$(SELENIUM_VERSION)
# Debian packages `make deb` (and the package test in `make test`) assembles and checks the package with.
DEB_PACKAGES := dpkg-dev lintian binutils patchelf
# The package's binaries: release, the Swift runtime linked in (Debian 12 has none),
# in their own build directory so the static and dynamic objects never mix.
DEB_SCRATCH := .build/deb-release

# The SIP client `make run` prints a ready-to-paste command for (the demo phone).
RUN_PACKAGES := baresip-core
# Debian packages that render the caller prompts (scripts/render-prompts.sh).
PROMPT_PACKAGES := espeak-ng sox opus-tools
PROMPTS := prompts/rendered/.rendered

SWIFT_BUILD_FLAGS ?=

.PHONY: help run test build deb deps run-deps test-deps test-tools prompts clean

help:
	@echo "make run    build and start hushboxd on the development configuration (data in ./.hushbox-dev)"
	@echo "make test   build and run the whole test suite"
	@echo "make deb    build the Debian package (release) into .build/deb/"

deps:
	@scripts/install-debian-packages.sh $(BUILD_PACKAGES)

run-deps: deps
	@scripts/install-debian-packages.sh $(RUN_PACKAGES)

test-deps: deps
	@if [ -n "$(strip $(TEST_PACKAGES))" ]; then scripts/install-debian-packages.sh $(TEST_PACKAGES) $(DEB_PACKAGES); fi

# Test tools that come from PyPI rather than Debian, in their own virtual environment.
test-tools: $(SCHEMATHESIS) $(SELENIUM)

$(SCHEMATHESIS):
	@scripts/install-debian-packages.sh python3 python3-venv
	rm -rf .build/test-tools/schemathesis
	/usr/bin/python3 -m venv .build/test-tools/schemathesis
	.build/test-tools/schemathesis/bin/pip install --quiet --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION)

$(SELENIUM):
	@scripts/install-debian-packages.sh python3 python3-venv
	rm -rf .build/test-tools/browser
	/usr/bin/python3 -m venv .build/test-tools/browser
	.build/test-tools/browser/bin/pip install --quiet --disable-pip-version-check selenium==$(SELENIUM_VERSION)
	@touch $@

# The prompts, rendered from prompts/text when missing or when a text changed.
prompts: $(PROMPTS)

$(PROMPTS): prompts/text/*.txt scripts/render-prompts.sh
	@scripts/install-debian-packages.sh $(PROMPT_PACKAGES)
	scripts/render-prompts.sh prompts/rendered
	@touch $@

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

# --demo: a phone on this machine may call; mailbox 100 is made on first start.
run: run-deps build prompts
	.build/debug/hushboxd --dev --demo

# Build everything first (executables included: the tests run them as child
# processes), then run the tests without building again. Two suites run on
# their own afterwards, so that load shifts no timing: the line's runtime
# (calls through ALSA paced by the line's own clock) and the package test
# (strip, compress, lintian and dpkg over 180 MB).
ALONE := LineRuntimeTests|DebianPackageTests
test: test-deps test-tools prompts
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build $(SWIFT_BUILD_FLAGS) --skip '$(ALONE)'
	swift test --skip-build $(SWIFT_BUILD_FLAGS) --filter LineRuntimeTests
	swift test --skip-build $(SWIFT_BUILD_FLAGS) --filter DebianPackageTests

# The Debian package: release binaries with the Swift runtime linked statically,
# stripped; Depends from dpkg-shlibdeps; lintian errors fail it.
deb: deps prompts
	@scripts/install-debian-packages.sh $(DEB_PACKAGES)
	swift build -c release --static-swift-stdlib --scratch-path $(DEB_SCRATCH) --product hushboxd
	swift build -c release --static-swift-stdlib --scratch-path $(DEB_SCRATCH) --product hushbox
	scripts/build-deb --binaries $(DEB_SCRATCH)/release --output .build/deb --lintian

clean:
	rm -rf .build prompts/rendered
