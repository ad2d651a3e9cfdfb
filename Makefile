# psoas-triage -- see README.md.  `make` builds ./psoas-triage (installing missing
# Debian packages first when run as root); `make test` runs every test (pytest).

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
DATADIR   = $(PREFIX)/share/psoas-triage
MANDIR    = $(PREFIX)/share/man/man1
VERSION   = 0.1.0

CC       ?= cc
CXX      ?= c++
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
OPT      ?= -O2 -g
CPPFLAGS += -isystem /usr/include/clips -D_GNU_SOURCE \
            -DPSOAS_VERSION='"$(VERSION)"' -DPSOAS_DATADIR='"$(DATADIR)"'
CFLAGS   += -std=c11 $(OPT) $(WARN) -pthread
# C++ only for src/fastcase.cc, the binding to simdjson (a C++ library): no exceptions,
# no RTTI, a C interface.
CXXFLAGS += -std=c++17 $(OPT) -Wall -Wextra -Wshadow -fno-exceptions -fno-rtti -pthread
LDLIBS   += -lclips -lsimdjson -ljansson -lnettle -lreadline -lm -lstdc++ -pthread

SRC  = src/util.c src/kb.c src/tcase.c src/engine.c src/output.c src/batch.c \
       src/commands.c src/check.c src/main.c src/lineedit.c src/screenkb.c src/intake.c \
       src/knowledge.c
CXXSRC = src/fastcase.cc
OBJ  = $(SRC:src/%.c=build/%.o) $(CXXSRC:src/%.cc=build/%.o)
DEPS = build/.deps-ok

.PHONY: all deps run test validate check-vignettes clean install uninstall sanitize tsan valgrind fuzz fuzz-short bench

all: psoas-triage rules/rules.bin doc/knowledge.md

$(DEPS): scripts/deps.sh
	@sh scripts/deps.sh
	@mkdir -p build && touch $@

build/%.o: src/%.c $(wildcard src/*.h) | $(DEPS)
	@mkdir -p build
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/%.o: src/%.cc $(wildcard src/*.h) | $(DEPS)
	@mkdir -p build
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

psoas-triage: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

# The rules as a CLIPS binary image (bsave), for a fast start; psoas-triage uses it only
# while it is newer than every rules/*.clp, and parses the .clp files otherwise.
IMAGE = rules/rules.bin
$(IMAGE): psoas-triage $(wildcard rules/*.clp) $(wildcard kb/*.json)
	./psoas-triage --rules rules --kb kb check --image $@ >/dev/null

# The clinical table for review, generated from kb/ (committed, so it can be read on the
# web; tests/test_docs.py fails when it is stale).
doc/knowledge.md: psoas-triage $(IMAGE) $(wildcard kb/*.json) kb/disclaimer.txt
	./psoas-triage --rules rules --kb kb knowledge > $@.tmp && mv $@.tmp $@

run: psoas-triage
	./psoas-triage intake

LIBOBJ = $(filter-out build/main.o,$(OBJ))

# The tests run on pytest (Debian: python3-pytest; tests/conftest.py): `python3 -m pytest`
# where that python3 has it, otherwise Debian's pytest-3 (for a python3 ahead of
# /usr/bin/python3 on PATH, such as pyenv's).  -k EXPRESSION selects tests by name.
PYTEST ?= $(shell python3 -c 'import pytest' 2>/dev/null && echo python3 -m pytest || echo pytest-3)
PYTEST_OPTS ?= -q -rfEs

build/unit-tests: tests/unit.c $(LIBOBJ) $(wildcard src/*.h)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ tests/unit.c $(LIBOBJ) $(LDLIBS)

test: psoas-triage $(IMAGE) build/unit-tests
	$(PYTEST) $(PYTEST_OPTS) tests

# The case-report validation suite (tests/case-reports/): expected and actual level per
# case in both answer modes, caught per level, under-triage, benign cases cleared.
validate: psoas-triage $(IMAGE)
	python3 tests/validate.py

# Throughput, start-up and memory of eval (bench/bench.py); needs jq for the comparison.
bench: psoas-triage $(IMAGE)
	@command -v jq >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >&2; } || \
	  { echo "bench: needs jq: sudo apt-get install -y jq" >&2; exit 1; }
	python3 bench/bench.py

clean:
	rm -rf build build-san build-tsan build-fuzz psoas-triage $(IMAGE)

# ---- hardening: sanitizers, valgrind, fuzzing (see README "Hardening") ----

# $(call variant,DIR,FLAGS): the program built with the extra FLAGS into DIR/, with the
# rules and kb beside it (for the sanitizer builds below).
define variant
$(1)/%.o: src/%.c $$(wildcard src/*.h) | $$(DEPS)
	@mkdir -p $(1)
	$$(CC) $$(CPPFLAGS) $$(CFLAGS) $(2) -c -o $$@ $$<

$(1)/%.o: src/%.cc $$(wildcard src/*.h) | $$(DEPS)
	@mkdir -p $(1)
	$$(CXX) $$(CPPFLAGS) $$(CXXFLAGS) $(2) -c -o $$@ $$<

$(1)/psoas-triage: $$(SRC:src/%.c=$(1)/%.o) $$(CXXSRC:src/%.cc=$(1)/%.o)
	$$(CC) $$(CFLAGS) $(2) -o $$@ $$^ $$(LDLIBS)
	ln -sfn ../rules $(1)/rules
	ln -sfn ../kb $(1)/kb
endef

# `make sanitize`: everything built with AddressSanitizer + UBSan into build-san/, then
# the whole test suite against it.  A sanitizer report exits 98, which fails the test.
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_OBJ  = $(SRC:src/%.c=build-san/%.o) $(CXXSRC:src/%.cc=build-san/%.o)
SAN_ENV  = ASAN_OPTIONS=exitcode=98:detect_leaks=1:abort_on_error=0 \
           UBSAN_OPTIONS=exitcode=98:print_stacktrace=1 PSOAS_TOOL_STATUS=98

$(eval $(call variant,build-san,$(SAN)))

build-san/unit-tests: tests/unit.c $(filter-out build-san/main.o,$(SAN_OBJ))
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -o $@ tests/unit.c $(filter-out build-san/main.o,$(SAN_OBJ)) $(LDLIBS)

sanitize: build-san/psoas-triage build-san/unit-tests
	$(SAN_ENV) PSOAS_BIN=$(CURDIR)/build-san/psoas-triage PSOAS_UNIT=$(CURDIR)/build-san/unit-tests \
	  $(PYTEST) $(PYTEST_OPTS) tests

# `make tsan`: ThreadSanitizer over eval's threads (reader, workers, writer): the program
# built into build-tsan/, then the batch tests (TSAN_TESTS) against it.  A data race
# exits 97, which fails the test.
TSAN       = -fsanitize=thread
TSAN_TESTS ?= test_batch

$(eval $(call variant,build-tsan,$(TSAN)))

tsan: build-tsan/psoas-triage $(IMAGE)
	TSAN_OPTIONS=exitcode=97:halt_on_error=1 PSOAS_TOOL_STATUS=97 \
	  PSOAS_BIN=$(CURDIR)/build-tsan/psoas-triage $(PYTEST) $(PYTEST_OPTS) -k '$(TSAN_TESTS)' tests

# `make valgrind`: memcheck over the test modules that run eval, check (and intake, once
# it exists): every run of the binary is wrapped; an error or a definite/indirect leak
# exits 99, which fails the test.  VALGRIND_TESTS: one pytest -k run each (a substring of
# test names, or an expression without spaces).  No suppressions: CLIPS frees everything
# in DestroyEnvironment.
VALGRIND_TESTS ?= test_safety test_limits test_check test_intake test_eval test_fast_reader
# under valgrind, leave out the tests that only repeat the same runs many times over
VALGRIND_SKIP  ?= not asks_nothing and not random_people and not simultaneous
VALGRIND_WRAP   = valgrind -q --error-exitcode=99 --leak-check=full \
                  --errors-for-leak-kinds=definite,indirect

valgrind: psoas-triage $(IMAGE) build/unit-tests
	@for t in $(VALGRIND_TESTS); do \
	  echo "== valgrind: $$t"; \
	  PSOAS_WRAP="$(VALGRIND_WRAP)" PSOAS_TOOL_STATUS=99 $(PYTEST) $(PYTEST_OPTS) -k "$$t and $(VALGRIND_SKIP)" tests || exit 1; \
	done

# `make fuzz`: libFuzzer (clang) for FUZZ_TIME seconds (default 10 minutes) on
# fuzz/fuzz_$(FUZZ_TARGET).c: `case` (default: the case parser + evaluation + output, fast)
# or `jsonl` (eval's JSON Lines reader and pipeline, slow).  Seeds: the vignettes and
# tests/regress/.  Crashes land in build-fuzz/crashes/: copy each to tests/regress/, fix it.
FUZZ_CC     ?= clang
FUZZ_TIME   ?= 600
FUZZ_TARGET ?= case
FUZZ_FLAGS  ?=
FUZZ_SRC     = $(filter-out src/main.c,$(SRC))

FUZZ_CXX    ?= clang++

build-fuzz/fastcase.o: src/fastcase.cc $(wildcard src/*.h) | $(DEPS)
	@mkdir -p build-fuzz
	$(FUZZ_CXX) $(CPPFLAGS) -std=c++17 -O1 -g -pthread -fno-exceptions -fno-rtti \
	  -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -c -o $@ $<

build-fuzz/fuzz-%: fuzz/fuzz_%.c $(FUZZ_SRC) build-fuzz/fastcase.o $(wildcard src/*.h) | $(DEPS)
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 -O1 -g -pthread -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -o $@ $< $(FUZZ_SRC) build-fuzz/fastcase.o $(LDLIBS)

fuzz: build-fuzz/fuzz-$(FUZZ_TARGET)
	python3 fuzz/seeds.py build-fuzz
	@mkdir -p build-fuzz/corpus-$(FUZZ_TARGET) build-fuzz/crashes
	build-fuzz/fuzz-$(FUZZ_TARGET) -max_total_time=$(FUZZ_TIME) $(FUZZ_FLAGS) \
	  -dict=build-fuzz/case.dict -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	  -print_final_stats=1 -artifact_prefix=build-fuzz/crashes/ \
	  build-fuzz/corpus-$(FUZZ_TARGET) build-fuzz/seeds

# The one-minute run CI does: 45 s on the parser, 15 s on the stream reader.
fuzz-short:
	$(MAKE) fuzz FUZZ_TARGET=case FUZZ_TIME=45
	$(MAKE) fuzz FUZZ_TARGET=jsonl FUZZ_TIME=15

install: psoas-triage
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/kb $(DESTDIR)$(MANDIR)
	install -m 755 psoas-triage $(DESTDIR)$(BINDIR)/psoas-triage
	install -m 644 rules/*.clp $(DESTDIR)$(DATADIR)/rules/
	rm -f $(DESTDIR)$(DATADIR)/rules/rules.bin
	./psoas-triage --rules $(DESTDIR)$(DATADIR)/rules --kb kb check \
	  --image $(DESTDIR)$(DATADIR)/rules/rules.bin >/dev/null
	install -m 644 kb/*.json kb/*.txt $(DESTDIR)$(DATADIR)/kb/
	install -m 644 doc/psoas-triage.1 $(DESTDIR)$(MANDIR)/psoas-triage.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/psoas-triage $(DESTDIR)$(MANDIR)/psoas-triage.1
	rm -rf $(DESTDIR)$(DATADIR)
