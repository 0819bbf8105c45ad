# libswiftclient: build and install like a C library.
#
#   make [PREFIX=...]             release build into target/release, then
#                                 target/dist: the stripped library, swc
#                                 (linked for PREFIX's libdir) and swc.1
#   make install PREFIX=/usr/local [DESTDIR=...] [LIBDIR=...]   (no rebuild:
#                                 run `make` first after changing sources;
#                                 prefix=, libdir=... spellings work too)
#   make uninstall PREFIX=...
#
# Installs include/swiftclient.h, libswiftclient.so.X.Y.Z with its SONAME
# link (libswiftclient.so.0.Y while the API is 0.x, .so.X from 1.0) and the
# development link libswiftclient.so, libswiftclient.a,
# lib/pkgconfig/swiftclient.pc, lib/cmake/swiftclient/ (find_package), and
# the detached debug info under lib/.debug/ (where gdb looks for it); and
# swc, the command-line client (examples-c/swc/): bin/swc, its man page
# share/man/man1/swc.1 (written by `swc --man` from swc's own help texts)
# and its bash and zsh completions (share/bash-completion/completions/swc,
# share/zsh/site-functions/_swc), which ask swc for the words to offer.
# bindir=, datadir=, mandir= (GNU spellings) move them. LICENSE and
# THIRD-PARTY-NOTICES (the licences of the crates compiled in, made by
# scripts/notices) go to share/doc/libswiftclient/ (docdir=).
#
# The release build runs with LTO; the installed libraries are stripped and
# the shared library carries a .gnu_debuglink to its debug file.

CARGO   ?= cargo
DOXYGEN ?= doxygen
OBJCOPY ?= objcopy
LD      ?= ld
AR      ?= ar
STRIP   ?= strip
INSTALL ?= install

# GNU's lower-case names work too (prefix=, exec_prefix=, libdir=,
# includedir=); the upper-case ones win when both are given.
prefix      ?= /usr/local
PREFIX      ?= $(prefix)
exec_prefix ?= $(PREFIX)
EXEC_PREFIX ?= $(exec_prefix)
libdir      ?= $(EXEC_PREFIX)/lib
LIBDIR      ?= $(libdir)
includedir  ?= $(PREFIX)/include
INCLUDEDIR  ?= $(includedir)
bindir      ?= $(EXEC_PREFIX)/bin
BINDIR      ?= $(bindir)
datarootdir ?= $(PREFIX)/share
DATAROOTDIR ?= $(datarootdir)
datadir     ?= $(DATAROOTDIR)
DATADIR     ?= $(datadir)
mandir      ?= $(DATAROOTDIR)/man
MANDIR      ?= $(mandir)
MAN1DIR     ?= $(MANDIR)/man1
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/site-functions
docdir      ?= $(DATAROOTDIR)/doc/libswiftclient
DOCDIR      ?= $(docdir)
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR   ?= $(LIBDIR)/cmake/swiftclient
DEBUGDIR   ?= $(LIBDIR)/.debug
DESTDIR    ?=

VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -n 1)
MAJOR   := $(word 1,$(subst ., ,$(VERSION)))
MINOR   := $(word 2,$(subst ., ,$(VERSION)))
# The ABI policy (README, "ABI"): while the API is 0.x a minor release may
# break it, so the SONAME carries the minor version (as cargo-c does) and a
# program built for 0.1 never loads 0.2; from 1.0 on, the major alone.
ABI     := $(if $(filter 0,$(MAJOR)),$(MAJOR).$(MINOR),$(MAJOR))
SONAME  := libswiftclient.so.$(ABI)
REAL    := libswiftclient.so.$(VERSION)

TARGET_DIR ?= target
REL   := $(TARGET_DIR)/release
DIST  := $(TARGET_DIR)/dist

# swc: C99 with every warning an error, as the tests build it; CFLAGS,
# CPPFLAGS and LDFLAGS as given (a distribution's hardening flags).
CFLAGS  ?= -O2
SWC_WARNINGS ?= -std=c99 -Wall -Wextra -Wpedantic -Werror
JANSSON_CFLAGS ?= $(shell pkg-config --cflags jansson 2>/dev/null)
JANSSON_LIBS   ?= $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
SWC_SRC  := $(sort $(wildcard examples-c/swc/*.c))
SWC_OBJS := $(patsubst examples-c/swc/%.c,$(DIST)/swc-obj/%.o,$(SWC_SRC))
# The installed swc finds the installed library through a RUNPATH naming
# LIBDIR, unless LIBDIR is one the dynamic linker searches anyway (a
# distribution's /usr/lib...: no RUNPATH, as their policies want). Not
# ldconfig alone: /usr/local/lib or $HOME/.local/lib are not searched
# everywhere, and ldconfig must be run after each install. RUNPATH (not
# RPATH), so LD_LIBRARY_PATH still wins: make runs the built swc with
# target/dist first. swc is linked for the LIBDIR `make` was given; `make
# install` with another LIBDIR links it again (cc, no cargo) for that one.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
SYSTEM_LIBDIRS := /lib /lib64 /usr/lib /usr/lib64 $(if $(MULTIARCH),/lib/$(MULTIARCH) /usr/lib/$(MULTIARCH))
SWC_RPATH = $(if $(filter $(SYSTEM_LIBDIRS),$(patsubst %/,%,$(LIBDIR))),,$(LIBDIR))
swc_link = $(CC) $(CFLAGS) $(LDFLAGS) -o $(1) $(SWC_OBJS) -L$(DIST) -lswiftclient $(JANSSON_LIBS) \
	   -Wl,--enable-new-dtags $(if $(SWC_RPATH),-Wl$(comma)-rpath$(comma)$(SWC_RPATH))
comma := ,

.PHONY: all build swc doc install uninstall clean-dist
all: build
	@$(MAKE) --no-print-directory swc

# One cargo invocation builds the staticlib alone: rustc applies the
# profile's LTO to it only when no rlib is built beside it. rustc prints the
# system libraries a static link needs; that line only appears when rustc
# runs, so it is kept in a file, and the crate is rebuilt if the file is
# missing.
#
# Both installed libraries are made from the staticlib, through one
# relocatable object (`ld -r`) holding what the exported functions need
# (Rust's std and every crate included, unused sections dropped) in which
# every symbol but the ABI list's (abi/swiftclient.symbols) is made local:
#  - libswiftclient.a is that object alone, so a static link sees only
#    swc_* globals: no clash with another Rust library's std or crates, or
#    with the program's own md5_compress...;
#    (The LLVM bitcode rustc embeds in each crate's object goes: nothing
#    reads it, it was most of the old 74 MiB archive, and an LLVM linker
#    plugin of another LLVM version aborts `nm` on it.)
#  - libswiftclient.so is linked from it with a version script, so its
#    symbols are versioned (swc_x@@SWC_0.1; rustc's own version script is
#    anonymous and cannot be combined with a named one, hence not rustc).
build:
	@test -n "$(VERSION)" || { echo "cannot read the version from Cargo.toml" >&2; exit 1; }
	@if [ ! -s $(REL)/native-static-libs ]; then $(CARGO) clean --release -p swiftclient; fi
	$(CARGO) rustc --release --lib --crate-type staticlib -- --print native-static-libs 2> $(REL).log || { cat $(REL).log >&2; exit 1; }
	@grep -Ev 'native-static-libs|^note: |^$$' $(REL).log >&2 || true
	@libs=$$(sed -n 's/.*native-static-libs: //p' $(REL).log | tail -n 1); \
	  if [ -n "$$libs" ]; then mkdir -p $(REL) && printf '%s\n' "$$libs" > $(REL)/native-static-libs; fi
	@test -s $(REL)/native-static-libs || { echo "rustc did not report native-static-libs" >&2; exit 1; }
	mkdir -p $(DIST)
	grep -v '^#' abi/swiftclient.symbols | grep . > $(DIST)/swiftclient.syms
	{ echo 'SWC_$(ABI) {'; echo '  global:'; sed 's/.*/    &;/' $(DIST)/swiftclient.syms; \
	  echo '  local: *;'; echo '};'; } > $(DIST)/swiftclient.map
	$(LD) -r --gc-sections -z noexecstack $$(sed 's/^/-u /' $(DIST)/swiftclient.syms) \
	  -o $(DIST)/swiftclient-all.o $(REL)/libswiftclient.a
	$(OBJCOPY) --keep-global-symbols=$(DIST)/swiftclient.syms --remove-section=.llvmbc --remove-section=.llvmcmd \
	  $(DIST)/swiftclient-all.o $(DIST)/swiftclient.o
	$(CC) -shared -o $(DIST)/libswiftclient.so.full $(DIST)/swiftclient.o \
	  -Wl,-soname,$(SONAME) -Wl,--version-script=$(DIST)/swiftclient.map -Wl,--gc-sections \
	  -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--as-needed -Wl,-O1 $(LDFLAGS) $$(cat $(REL)/native-static-libs)
	$(OBJCOPY) --only-keep-debug $(DIST)/libswiftclient.so.full $(DIST)/$(REAL).debug
	$(STRIP) --strip-unneeded -o $(DIST)/$(REAL) $(DIST)/libswiftclient.so.full
	cd $(DIST) && $(OBJCOPY) --add-gnu-debuglink=$(REAL).debug $(REAL) && \
	  ln -sf $(REAL) $(SONAME) && ln -sf $(SONAME) libswiftclient.so
	$(STRIP) --strip-unneeded -o $(DIST)/libswiftclient.o $(DIST)/swiftclient.o
	rm -f $(DIST)/libswiftclient.a && $(AR) rcD $(DIST)/libswiftclient.a $(DIST)/libswiftclient.o
	rm -f $(DIST)/swiftclient-all.o $(DIST)/swiftclient.o $(DIST)/libswiftclient.o $(DIST)/libswiftclient.so.full
	@echo "built $(DIST)/$(REAL) ($$(stat -c %s $(DIST)/$(REAL)) bytes, SONAME $(SONAME))"

# swc and its man page, after the library (`make` runs this after build).
swc: $(DIST)/swc $(DIST)/swc.1

$(DIST)/swc-obj/%.o: examples-c/swc/%.c examples-c/swc/swc.h include/swiftclient.h
	@mkdir -p $(@D)
	$(CC) $(SWC_WARNINGS) $(CPPFLAGS) $(CFLAGS) -Iinclude $(JANSSON_CFLAGS) -c -o $@ $<

$(DIST)/swc: $(SWC_OBJS) $(DIST)/$(REAL)
	$(call swc_link,$@)
	echo '$(SWC_RPATH)' > $(DIST)/swc.rpath

$(DIST)/swc.1: $(DIST)/swc
	LD_LIBRARY_PATH=$(DIST) $(DIST)/swc --man > $@.tmp && mv $@.tmp $@

# The C API reference from the header's doc comments (docs/Doxyfile):
# target/apidoc/html/index.html and target/apidoc/man/man3/swiftclient.h.3.
# Any Doxygen warning (an undocumented declaration, a broken reference)
# fails it; CI runs it (scripts/test, header stage).
doc:
	@rm -rf $(TARGET_DIR)/apidoc && mkdir -p $(TARGET_DIR)/apidoc
	SWC_VERSION=$(VERSION) SWC_DOC_DIR=$(TARGET_DIR)/apidoc $(DOXYGEN) docs/Doxyfile
	@echo "API reference: $(TARGET_DIR)/apidoc/html/index.html"

# `make install` installs what `make` built and does not rebuild it: `sudo
# make install` runs with root's PATH, where cargo may not be. Only when
# nothing was built yet does it build first.
$(DIST)/$(REAL):
	$(MAKE) --no-print-directory build

install: $(DIST)/$(REAL)
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(DEBUGDIR) $(DESTDIR)$(CMAKEDIR)
	$(INSTALL) -m 644 include/swiftclient.h $(DESTDIR)$(INCLUDEDIR)/swiftclient.h
	$(INSTALL) -m 755 $(DIST)/$(REAL) $(DESTDIR)$(LIBDIR)/$(REAL)
	ln -sf $(REAL) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libswiftclient.so
	$(INSTALL) -m 644 $(DIST)/libswiftclient.a $(DESTDIR)$(LIBDIR)/libswiftclient.a
	$(INSTALL) -m 644 $(DIST)/$(REAL).debug $(DESTDIR)$(DEBUGDIR)/$(REAL).debug
	# The pkg-config and CMake files name the directories of this install.
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' -e "s|@LIBS_PRIVATE@|$$(cat $(REL)/native-static-libs)|" \
	    swiftclient.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/swiftclient.pc
	for f in swiftclientConfig swiftclientConfigVersion; do \
	  sed -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	      -e 's|@MAJOR@|$(MAJOR)|g' -e 's|@MINOR@|$(MINOR)|g' -e 's|@REAL@|$(REAL)|g' -e 's|@SONAME@|$(SONAME)|g' \
	      -e "s|@LIBS_PRIVATE@|$$(cat $(REL)/native-static-libs)|" cmake/$$f.cmake.in > $(DESTDIR)$(CMAKEDIR)/$$f.cmake; \
	  chmod 644 $(DESTDIR)$(CMAKEDIR)/$$f.cmake; \
	done
	@test -s $(DIST)/swc.1 || $(MAKE) --no-print-directory swc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	# swc as built when it was linked for this LIBDIR, else linked for it.
	if [ "$$(cat $(DIST)/swc.rpath)" = '$(SWC_RPATH)' ]; then \
	  $(INSTALL) -m 755 $(DIST)/swc $(DESTDIR)$(BINDIR)/swc; \
	else \
	  $(call swc_link,$(DESTDIR)$(BINDIR)/swc) && chmod 755 $(DESTDIR)$(BINDIR)/swc; \
	fi
	$(INSTALL) -m 644 $(DIST)/swc.1 $(DESTDIR)$(MAN1DIR)/swc.1
	$(INSTALL) -m 644 examples-c/swc/completion/swc.bash $(DESTDIR)$(BASHCOMPDIR)/swc
	$(INSTALL) -m 644 examples-c/swc/completion/_swc $(DESTDIR)$(ZSHCOMPDIR)/_swc
	$(INSTALL) -d $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 644 LICENSE THIRD-PARTY-NOTICES $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/swiftclient.h $(DESTDIR)$(LIBDIR)/$(REAL) \
	      $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libswiftclient.so \
	      $(DESTDIR)$(LIBDIR)/libswiftclient.a $(DESTDIR)$(PKGCONFIGDIR)/swiftclient.pc \
	      $(DESTDIR)$(DEBUGDIR)/$(REAL).debug \
	      $(DESTDIR)$(CMAKEDIR)/swiftclientConfig.cmake $(DESTDIR)$(CMAKEDIR)/swiftclientConfigVersion.cmake \
	      $(DESTDIR)$(BINDIR)/swc $(DESTDIR)$(MAN1DIR)/swc.1 \
	      $(DESTDIR)$(BASHCOMPDIR)/swc $(DESTDIR)$(ZSHCOMPDIR)/_swc \
	      $(DESTDIR)$(DOCDIR)/LICENSE $(DESTDIR)$(DOCDIR)/THIRD-PARTY-NOTICES
	-rmdir $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null

clean-dist:
	rm -rf $(DIST) $(REL).log $(REL)/native-static-libs
