#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/it-license.sh: the tree is under the ISC license (LICENSE), the
# package's debian/copyright says the same in DEP-5 form, and every
# source file names the license in an SPDX line near its top.  Data
# (fuzz corpora, fixture Maildirs) and prose (README, doc/) are exempt.
set -u
tag='SPDX-License-Identifier: ISC'

if grep -q '^ISC License$' LICENSE 2>/dev/null &&
    grep -q 'Copyright (c) [0-9]* the pop3d authors' LICENSE; then
	echo "ok license:LICENSE-is-ISC"
else
	echo "FAIL license:LICENSE-is-ISC"
fi

# debian/copyright: DEP-5, every file ISC, with the same permission text.
if grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
    debian/copyright && grep -q '^License: ISC$' debian/copyright &&
    ! grep -q 'no-license' debian/copyright &&
    grep -q 'Permission to use, copy, modify, and/or distribute' \
    debian/copyright; then
	echo "ok license:debian-copyright-dep5"
else
	echo "FAIL license:debian-copyright-dep5"
fi

# (.git may be a file, not a directory: git worktree(1).)
if command -v git >/dev/null 2>&1 &&
    git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files)
else
	# Without git: not the root file systems of make check-system.
	files=$(find . -type f ! -path './.git/*' \
	    ! -path './tests/system/cache/*' | sed 's|^\./||')
fi
missing=0
for f in $files; do
	case "$f" in
	tests/corpus/*|tests/maildirs/*|doc/*|*.md|README|LICENSE|.gitignore) continue ;;
	debian/changelog|debian/control|debian/copyright|debian/*.docs) continue ;;
	debian/source/*|debian/*.lintian-overrides) continue ;;
	esac
	[ -f "$f" ] || continue
	# Build products and scratch files are not sources.
	case "$f" in
	*.[ch]|*.py|*.sh|*.t|*.8|*.dict|*.conf|*.example|*.socket|*.service|\
	Makefile|*/run|.ci/run|debian/rules|debian/post*|debian/pre*|\
	tests/fake-checkpw|*.cfg) ;;
	*) case "$(head -c 2 "$f")" in '#!') ;; *) continue ;; esac ;;
	esac
	if ! head -n 3 "$f" | grep -q "$tag"; then
		echo "license: no SPDX line in the first 3 lines of $f" >&2
		missing=$((missing + 1))
	fi
done
if [ "$missing" = 0 ]; then
	echo "ok license:spdx-in-every-source"
else
	echo "FAIL license:spdx-in-every-source ($missing files)"
fi
