#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/run-transcripts.sh: runs protocol transcripts (tests/t/*.t)
# against the real binary, from the top of the source tree, after make.
#
# A transcript is read line by line:
#   >> TEXT     a client command line; CRLF is added
#   >>+ TEXT    a client line that continues the last command (SASL)
#   >>! TEXT    raw client bytes, printf %b escapes, nothing added;
#               each LF in it ends one command
#   << TEXT     a server line, compared byte for byte; "<<" alone is an
#               empty line; a status line, or a "+ " continuation, may
#               end in " *" to skip its text
#   <<! TEXT    a server line (not a status line) with printf %b escapes
#   -- closed   the server hangs up here: later commands get no reply
#   -- idle     the client says nothing; the server's one autologout
#               line follows and it hangs up
#   == PATH     after the session the Maildir holds exactly the listed
#               files (new/, cur/, tmp/); "==" alone: it holds none
#   ~~ ERE      the log must have a line matching this extended regex
#   # fixture: NAME     copy tests/maildirs/NAME to alice's Maildir
#   # pop3d: ARGS       front-end options (default: -d 0 -p any)
#   # maildir: ARGS     extra options for pop3d -m Maildir
#   # env: VAR=VAL ...  extra environment for pop3d
#   # setup: CMD        run in the Maildir before the session
#   # hold: N           keep the connection open N seconds after input
#   # ucspitls: offered|required
#                       run under a stand-in UCSPI-TLS wrapper: fds 5, 6
#                       and 7 are its control socket, read and write
#                       channels (a file, /dev/null, a file), so after
#                       STLS the client's further bytes are never read
#   # nomaildir         give alice no Maildir at all
# Every command must get exactly one status line (+OK or -ERR); the
# runner checks that in the transcript, and the comparison checks that
# the server did the same.  Prints "ok NAME" or "FAIL NAME" per test.
set -u
top=$(pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pop3d-t.XXXXXX") || exit 1
[ -n "${KEEP_SCRATCH:-}" ] || trap 'rm -rf "$scratch"' EXIT INT TERM
chmod 755 "$scratch"
bin=$scratch/bin
mkdir "$bin"
cp pop3d tests/fake-checkpw "$bin/" || exit 1
chmod 755 "$bin" "$bin/pop3d" "$bin/fake-checkpw"
root=no
[ "$(id -u)" = 0 ] && root=yes
# As root pop3d splits: its reader is chrooted here (root's, empty).
empty=$scratch/empty
mkdir "$empty" && chmod 755 "$empty" || exit 1
# make check-valgrind: a memcheck command line to run each pop3d under.
vg=${POP3D_VALGRIND:-}

# Checks the status-line count of the block that just ended.
end_block() {
	if [ "$want" -ge 0 ] && [ "$got" -ne "$want" ]; then
		echo "$t:$blockline: $got status lines, want $want" >&2
		bad=1
	fi
}

run_one() {
	t=$1
	name=t/$(basename "$t" .t)
	d=$scratch/$(basename "$t" .t)
	mkdir -p "$d/alice" "$d/bob/Maildir/new" "$d/bob/Maildir/cur" \
	    "$d/bob/Maildir/tmp"
	: >"$d/in"; : >"$d/exp"; : >"$d/files"; : >"$d/logre"
	fixture= popts="-d 0 -p any" mopts= envs= setup= hold=0 nomaildir=no
	tls=
	files=no closed=no bad=0
	want=1 got=0 blockline=1 n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in
		'>>+'|'>>+ '*)
			l=${line#>>+}
			printf '%s\r\n' "${l# }" >>"$d/in" ;;
		'>>'|'>> '*|'>>! '*)
			end_block
			blockline=$n got=0
			if [ "${line#>>! }" != "$line" ]; then
				printf '%b' "${line#>>! }" >>"$d/in"
				want=$(($(printf '%b' "${line#>>! }" |
				    tr -cd '\n' | wc -c)))
			else
				l=${line#>>}
				printf '%s\r\n' "${l# }" >>"$d/in"
				want=1
			fi
			[ "$closed" = yes ] && want=0 ;;
		'<<! '*)
			printf '%b\r\n' "${line#<<! }" >>"$d/exp" ;;
		'<<'|'<< '*)
			l=${line#<<}
			l=${l# }
			printf '%s\r\n' "$l" >>"$d/exp"
			case $l in
			'+OK'|'+OK '*|'-ERR'|'-ERR '*)
				got=$((got + 1)) ;;
			esac ;;
		'-- closed')
			closed=yes ;;
		'-- idle')
			end_block
			blockline=$n got=0 want=1 closed=yes ;;
		'=='|'== '*)
			files=yes
			[ "$line" = "==" ] || printf '%s\n' "${line#== }" \
			    >>"$d/files" ;;
		'~~ '*)
			printf '%s\n' "${line#~~ }" >>"$d/logre" ;;
		'# fixture: '*)
			fixture=${line#\# fixture: } ;;
		'# pop3d: '*)
			popts=${line#\# pop3d: } ;;
		'# maildir: '*)
			mopts=${line#\# maildir: } ;;
		'# env: '*)
			envs=${line#\# env: } ;;
		'# setup: '*)
			setup=${line#\# setup: } ;;
		'# hold: '*)
			hold=${line#\# hold: } ;;
		'# nomaildir')
			nomaildir=yes ;;
		'# ucspitls: offered')
			tls=UCSPITLS= ;;
		'# ucspitls: required')
			tls=UCSPITLS=! ;;
		'#'*|'')
			;;
		*)
			echo "$t:$n: unknown line: $line" >&2
			bad=1 ;;
		esac
	done <"$t"
	end_block

	md=$d/alice/Maildir
	if [ "$nomaildir" = no ]; then
		if [ -n "$fixture" ]; then
			cp -R "tests/maildirs/$fixture" "$md" || bad=1
		fi
		mkdir -p "$md/new" "$md/cur" "$md/tmp"
		# Git keeps no mtimes; order must not hang on the copy's.
		find "$md" -type f -exec touch -t 202001010000 {} +
	fi
	if [ -n "$setup" ]; then
		(cd "$md" && eval "$setup") || bad=1
	fi
	if [ "$root" = yes ]; then
		chown -R 65534:65534 "$d/alice" "$d/bob"
		chmod 755 "$d"
	fi

	# The reader may not grow files (RLIMIT_FSIZE 0), and a client
	# socket is no file: its output goes through pipes, as it would
	# from a superserver.
	mkfifo "$d/out.p" "$d/tlsctl.p" "$d/tlsout.p" || bad=1
	cat "$d/out.p" >"$d/out" &
	cat "$d/tlsctl.p" >"$d/tlsctl" &
	cat "$d/tlsout.p" >"$d/tlsout" &
	# shellcheck disable=SC2086 # option lists are split on purpose
	(cd "$d" && { cat in; [ "$hold" -gt 0 ] && sleep "$hold"; } |
	    env FAKE_HOME="$d" $tls ${tls:+SSLCTLFD=5 SSLREADFD=6 SSLWRITEFD=7} \
	    $envs timeout 60 $vg "$bin/pop3d" -r "$empty" $popts \
	    "$bin/fake-checkpw" $vg "$bin/pop3d" -m Maildir $mopts \
	    >out.p 2>log 5>tlsctl.p 6</dev/null 7>tlsout.p)
	wait
	if ! "$top/tests/tmatch" "$d/exp" "$d/out"; then
		bad=1
	fi
	if [ "$files" = yes ]; then
		(cd "$md" && find new cur tmp -type f | LC_ALL=C sort) \
		    >"$d/files.got"
		LC_ALL=C sort "$d/files" >"$d/files.want"
		if ! cmp -s "$d/files.want" "$d/files.got"; then
			echo "$t: Maildir differs (want, got):" >&2
			diff "$d/files.want" "$d/files.got" >&2
			bad=1
		fi
	fi
	while IFS= read -r re; do
		if ! grep -Eq -- "$re" "$d/log"; then
			echo "$t: no log line matches: $re" >&2
			bad=1
		fi
	done <"$d/logre"
	if [ "$bad" = 0 ]; then
		echo "ok $name"
	else
		echo "FAIL $name"
		echo "--- log of $name:" >&2
		cat "$d/log" >&2
	fi
}

for t in "$@"; do
	run_one "$t"
done
exit 0
