#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/it-checkpw.sh: the real pop3d-checkpw against a passwd-file in
# a scratch directory (and, as root with useradd, a throwaway system
# account).  Run from the top of the tree after "make pop3d-checkpw".
# Prints one "ok NAME", "FAIL NAME" (details on stderr) or
# "skip NAME: reason" line per case.

set -u

BIN=$(pwd)/pop3d-checkpw
if [ ! -x "$BIN" ]; then
	echo "skip it-checkpw: pop3d-checkpw is not built"
	exit 0
fi

T=$(mktemp -d /tmp/it-checkpw.XXXXXX) || exit 1
SYSUSER=
cleanup() {
	if [ -n "$SYSUSER" ]; then
		userdel "$SYSUSER" >/dev/null 2>&1
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

ok() { echo "ok $1"; }
skip() { echo "skip $1: $2"; }
fail() {
	echo "FAIL $1"
	echo "FAIL $1: $2" >&2
	if [ -s "$T/err" ]; then
		sed 's/^/	log: /' "$T/err" >&2
	fi
}

# Who the passwd-file users are.  As root the helper must switch to
# them, so they are nobody; otherwise they are us (the only switch an
# unprivileged helper may make is none).
if [ "$(id -u)" = 0 ]; then
	ROOT=1
	TUID=65534
	TGID=65534
else
	ROOT=0
	TUID=$(id -u)
	TGID=$(id -g)
fi
# A command prefix that runs the helper without root, where we can.
ASUSER=
if [ "$ROOT" = 1 ] && command -v setpriv >/dev/null 2>&1; then
	ASUSER="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi

chmod 755 "$T"
# The helper runs as nobody below: a copy it can reach, wherever the
# tree is cloned (a private home, /root).
cp "$BIN" "$T/pop3d-checkpw" && chmod 755 "$T/pop3d-checkpw" || exit 1
BIN=$T/pop3d-checkpw
mkdir "$T/home" "$T/home/alice" "$T/home/carol" || exit 1
chmod 755 "$T/home" "$T/home/alice" "$T/home/carol"
if [ "$ROOT" = 1 ]; then
	chown "$TUID:$TGID" "$T/home/alice" "$T/home/carol"
fi

# The subprogram records who, where and with what it ran.
cat >"$T/sub" <<'EOF'
#!/bin/sh
{
	echo "$USER $HOME $SHELL"
	pwd
	id -u
	id -G
	echo "args=$1|$2 foo=${FOO-unset}"
} >./out
EOF
chmod 755 "$T/sub"
printf '#!/bin/sh\nexit 0\n' >"$T/noexec"
chmod 644 "$T/noexec"

HASH6=
if command -v openssl >/dev/null 2>&1; then
	HASH6=$(openssl passwd -6 'hash pw' 2>/dev/null) || HASH6=
fi

cat >"$T/passwd" <<EOF
# pop3d-checkpw test users

alice:{PLAIN}alice pw:$TUID:$TGID:Alice:$T/home/alice:/bin/sh
carol:{plain}carolpw:$TUID:$TGID::$T/home/carol
bob:{PLAIN}bobpw:$TUID
zed junk line for someone else
dave:{PLAIN}davepw:$TUID:$TGID::$T/home/alice::extra=1
nohome:{PLAIN}nohomepw:$TUID:$TGID::$T/nonexistent
rooty:{PLAIN}rootpw:0:0::$T/home/alice
other:{PLAIN}otherpw:12345:12345::$T/home/alice
ssha:{SSHA}c3NoYQ==:$TUID:$TGID::$T/home/alice
gidzero:{PLAIN}gzpw:$TUID:0::$T/home/alice
nolog:{PLAIN}nlpw:$TUID:$TGID::$T/home/alice:/usr/sbin/nologin
false:{PLAIN}flpw:$TUID:$TGID::$T/home/alice:/bin/false
EOF
if [ -n "$HASH6" ]; then
	echo "hashy:{SHA512-CRYPT}$HASH6:$TUID:$TGID::$T/home/alice" \
	    >>"$T/passwd"
fi
chmod 644 "$T/passwd"
: >"$T/alllogs"

# rec USER PASS STAMP: writes the fd-3 record.
rec() {
	printf '%s\000%s\000%s\000' "$1" "$2" "$3" >"$T/rec"
}

# run [PREFIX...] -- ARGS...: runs the helper with fd 3 on the record
# and sets $st.  Everything before "--" is a command prefix.
run() {
	pre=
	while [ "$1" != "--" ]; do
		pre="$pre $1"
		shift
	done
	shift
	rm -f "$T/home/alice/out" "$T/home/carol/out"
	FOO=bar timeout 10 $pre "$BIN" "$@" 3<"$T/rec" >/dev/null 2>"$T/err"
	st=$?
	cat "$T/err" >>"$T/alllogs"
}

# want NAME STATUS: checks $st.
want() {
	if [ "$st" = "$2" ]; then
		ok "$1"
		return 0
	fi
	fail "$1" "exit $st, want $2"
	return 1
}

# served NAME HOME SHELL: checks what the subprogram wrote.
served() {
	out="$2/out"
	if [ ! -f "$out" ]; then
		fail "$1" "the subprogram did not run"
		return
	fi
	exp=$(printf '%s %s %s\n%s\n%s\n' "$3" "$2" "$4" "$2" "$TUID")
	got=$(sed -n '1,3p' "$out")
	if [ "$got" != "$exp" ]; then
		fail "$1" "got [$got], want [$exp]"
		return
	fi
	if [ "$ROOT" = 1 ] && [ "$(sed -n 4p "$out")" != "$TGID" ]; then
		fail "$1" "groups $(sed -n 4p "$out"), want $TGID only"
		return
	fi
	if [ "$(sed -n 5p "$out")" != "args=one|two words foo=bar" ]; then
		fail "$1" "arguments or environment lost: $(sed -n 5p "$out")"
		return
	fi
	ok "$1"
}

# The passwd-file cases.
F="-e -f $T/passwd"

rec alice 'alice pw' ''
run -- $F "$T/sub" one 'two words'
want good-password-exit 0 && served good-password-session \
    "$T/home/alice" alice /bin/sh

rec carol carolpw ''
run -- $F "$T/sub" one 'two words'
want default-shell-exit 0 && served default-shell-session \
    "$T/home/carol" carol /bin/sh

rec dave davepw ''
run -- $F "$T/sub" one 'two words'
want skips-malformed-lines-of-others 0

rec alice 'alice pw' '<1.2@host>'
run -- $F "$T/sub" one 'two words'
want plaintext-with-stamp 0

rec alice 'alice pX' ''
run -- $F "$T/sub"
want bad-password 1
if grep -q 'user=alice reason=wrong password' "$T/err"; then
	ok bad-password-logged
else
	fail bad-password-logged "no 'user=alice reason=wrong password' line"
fi

rec alice 'alice pw2' ''
run -- $F "$T/sub"
want longer-password 1

rec alice '' ''
run -- $F "$T/sub"
want empty-password 1

rec nosuch 'alice pw' ''
run -- $F "$T/sub"
want unknown-user 1

rec 'ali:ce' 'alice pw' ''
run -- $F "$T/sub"
want user-with-colon 1

rec rooty rootpw ''
run -- $F "$T/sub"
want uid-0-refused 1

rec ssha c3NoYQ== ''
run -- $F "$T/sub"
want unknown-scheme 1

# logged NAME TEXT: the last run logged TEXT.
logged() {
	if grep -qF "$2" "$T/err"; then
		ok "$1"
	else
		fail "$1" "no '$2' in the log"
	fi
}

rec gidzero gzpw ''
run -- $F "$T/sub"
want gid-0-refused 1 && logged gid-0-logged 'reason=gid 0 refused'

rec nolog nlpw ''
run -- $F "$T/sub"
want nologin-shell-refused 1 && logged nologin-shell-logged \
    'reason=nologin shell'
rec false flpw ''
run -- $F "$T/sub"
want false-shell-refused 1
rec nolog nlpw ''
run -- -n $F "$T/sub" one 'two words'
want nologin-shell-allowed-by-n 0 && served nologin-shell-session \
    "$T/home/alice" nolog /usr/sbin/nologin

if [ -n "$HASH6" ]; then
	rec hashy 'hash pw' ''
	run -- $F "$T/sub" one 'two words'
	want sha512-crypt-good 0
	rec hashy 'hash pX' ''
	run -- $F "$T/sub"
	want sha512-crypt-bad 1
else
	skip sha512-crypt-good "openssl passwd -6 unavailable"
	skip sha512-crypt-bad "openssl passwd -6 unavailable"
fi

rec bob bobpw ''
run -- $F "$T/sub"
want malformed-line-for-user 111
if grep -q 'line 5' "$T/err" && ! grep -q bobpw "$T/err"; then
	ok malformed-line-logged
else
	fail malformed-line-logged "want the line number and no password"
fi

rec alice 'alice pw' ''
run -- -e -f "$T/nonexistent" "$T/sub"
want missing-passwd-file 111

rec nohome nohomepw ''
run -- $F "$T/sub"
want home-missing 111

rec alice 'alice pw' ''
run -- $F "$T/noexec"
want subprog-not-executable 111

rec alice 'alice pw' ''
run -- $F "$T/no-such-program"
want subprog-missing 111

# Misuse.
run -- $F
want no-subprog 2

run -- -e -x "$T/sub"
want bad-option 2

run -- -e -f
want f-without-argument 2

printf 'alice\000' >"$T/rec"
run -- $F "$T/sub"
want record-one-nul 2

printf 'alice' >"$T/rec"
run -- $F "$T/sub"
want record-no-nul 2

rec '' 'alice pw' ''
run -- $F "$T/sub"
want record-empty-user 2

printf 'alice\000alice pw\000' >"$T/rec"
run -- $F "$T/sub" one 'two words'
want record-without-stamp 0

# 5 + 1 + 504 + 1 + 0 + 1 = 512 bytes: fits.  Then one byte more.
long=$(printf '%504s' '' | tr ' ' p)
rec alice "$long" ''
run -- $F "$T/sub"
want record-512-bytes 1
rec alice "${long}p" ''
run -- $F "$T/sub"
want record-513-bytes 2

rec alice 'alice pw' ''
FOO=bar timeout 10 "$BIN" $F "$T/sub" 3<&- >/dev/null 2>"$T/err"
st=$?
cat "$T/err" >>"$T/alllogs"
want no-fd-3 2

# APOP and CRAM-MD5.  The digests come from openssl or python3; each
# tool is first checked against RFC 1939's example.
apop_openssl() { printf '%s%s' "$1" "$2" | openssl md5 | sed 's/^.*= *//'; }
cram_openssl() {
	printf '%s' "$1" | openssl dgst -md5 -hmac "$2" | sed 's/^.*= *//'
}
apop_python() {
	python3 -c 'import hashlib, sys
print(hashlib.md5((sys.argv[1] + sys.argv[2]).encode()).hexdigest())' \
	    "$1" "$2"
}
cram_python() {
	python3 -c 'import hashlib, hmac, sys
print(hmac.new(sys.argv[2].encode(), sys.argv[1].encode(),
    hashlib.md5).hexdigest())' "$1" "$2"
}
DIGEST=
for tool in openssl python; do
	if [ "$(apop_$tool '<1896.697170952@dbc.mtview.ca.us>' tanstaaf \
	    2>/dev/null)" = c4c9334bac560ecc979e58001b3e22fb ] &&
	    [ "$(cram_$tool '<1896.697170952@postoffice.reston.mci.net>' \
	    tanstaaftanstaaf 2>/dev/null)" = \
	    b913a602c7eda7a495b4e6e7334d3890 ]; then
		DIGEST=$tool
		break
	fi
done
if [ -n "$DIGEST" ]; then
	stamp="<$$.$(date +%s)@it-checkpw>"
	rec alice "$(apop_$DIGEST "$stamp" 'alice pw')" "$stamp"
	run -- $F "$T/sub" one 'two words'
	want apop-good 0 && served apop-session "$T/home/alice" alice /bin/sh
	rec alice "$(apop_$DIGEST "$stamp" 'alice pX')" "$stamp"
	run -- $F "$T/sub"
	want apop-bad 1
	rec alice "$(apop_$DIGEST "$stamp" 'alice pw')" "<other@stamp>"
	run -- $F "$T/sub"
	want apop-other-stamp 1
	rec alice "$(apop_$DIGEST "$stamp" 'alice pw' | tr a-f A-F)" "$stamp"
	run -- $F "$T/sub"
	want apop-upper-case 1
	if [ -n "$HASH6" ]; then
		rec hashy "$(apop_$DIGEST "$stamp" 'hash pw')" "$stamp"
		run -- $F "$T/sub"
		want apop-hashed-secret 1
	else
		skip apop-hashed-secret "openssl passwd -6 unavailable"
	fi
	chal="<$$.$(date +%s)@cram.it-checkpw>"
	rec alice "$(cram_$DIGEST "$chal" 'alice pw')" "$chal"
	run -- $F "$T/sub" one 'two words'
	want cram-md5-good 0
	rec alice "$(cram_$DIGEST "$chal" 'alice pX')" "$chal"
	run -- $F "$T/sub"
	want cram-md5-bad 1
else
	for c in apop-good apop-bad apop-other-stamp apop-upper-case \
	    apop-hashed-secret cram-md5-good cram-md5-bad; do
		skip "$c" "neither openssl nor python3 computes MD5/HMAC-MD5"
	done
fi

# Without root: only the user we already are may be served.
if [ "$ROOT" = 0 ]; then
	rec alice 'alice pw' ''
	run -- $F "$T/sub" one 'two words'
	want unprivileged-same-uid 0
	ouid=$((TUID + 1))
	sed "s/^other:\([^:]*\):12345:12345:/other:\1:$ouid:$TGID:/" \
	    "$T/passwd" >"$T/passwd2"
	rec other otherpw ''
	run -- -e -f "$T/passwd2" "$T/sub"
	want unprivileged-other-uid 111
	cp "$T/passwd" "$T/passwd0"
	chmod 000 "$T/passwd0"
	rec alice 'alice pw' ''
	run -- -e -f "$T/passwd0" "$T/sub"
	want unreadable-passwd-file 111
elif [ -n "$ASUSER" ]; then
	rec alice 'alice pw' ''
	run $ASUSER -- $F "$T/sub" one 'two words'
	want unprivileged-same-uid 0 && served unprivileged-session \
	    "$T/home/alice" alice /bin/sh
	rec other otherpw ''
	run $ASUSER -- $F "$T/sub"
	want unprivileged-other-uid 111
	cp "$T/passwd" "$T/passwd0"
	chmod 600 "$T/passwd0"
	rec alice 'alice pw' ''
	run $ASUSER -- -e -f "$T/passwd0" "$T/sub"
	want unreadable-passwd-file 111
else
	for c in unprivileged-same-uid unprivileged-other-uid \
	    unreadable-passwd-file; do
		skip "$c" "root without setpriv(1)"
	done
fi

# System accounts: a throwaway user with a yescrypt password.
if [ "$ROOT" = 1 ] && command -v useradd >/dev/null 2>&1 &&
    command -v chpasswd >/dev/null 2>&1 &&
    command -v usermod >/dev/null 2>&1 &&
    command -v chage >/dev/null 2>&1; then
	u=itcpw$$
	if useradd -M -N -g "$TGID" -d "$T/home/sys" -s /bin/sh "$u" \
	    >"$T/err" 2>&1; then
		SYSUSER=$u
		mkdir "$T/home/sys"
		chown "$u:$TGID" "$T/home/sys"
		printf '%s:%s\n' "$u" 'sys pw' | chpasswd -c YESCRYPT \
		    2>/dev/null ||
		    printf '%s:%s\n' "$u" 'sys pw' | chpasswd
		hash=$(getent shadow "$u" | cut -d: -f2)
		case $hash in
		'$y$'*)	ok system-yescrypt-hash ;;
		*)	skip system-yescrypt-hash "chpasswd chose the hash" ;;
		esac
		rec "$u" 'sys pw' ''
		run -- -e "$T/sub" one 'two words'
		want system-good-password 0
		if [ "$(sed -n 3p "$T/home/sys/out" 2>/dev/null)" = \
		    "$(id -u "$u")" ] &&
		    [ "$(sed -n 2p "$T/home/sys/out")" = "$T/home/sys" ]; then
			ok system-session
		else
			fail system-session "wrong uid or cwd"
		fi
		rec "$u" 'sys pX' ''
		run -- -e "$T/sub"
		want system-bad-password 1
		if [ -n "$ASUSER" ]; then
			rec "$u" 'sys pw' ''
			run $ASUSER -- -e "$T/sub"
			want system-shadow-unreadable 111
		else
			skip system-shadow-unreadable "no setpriv(1)"
		fi
		usermod -e 1970-01-02 "$u" >/dev/null 2>&1
		rec "$u" 'sys pw' ''
		run -- -e "$T/sub"
		want system-expired 1
		usermod -e '' -L "$u" >/dev/null 2>&1
		run -- -e "$T/sub"
		want system-locked 1
		usermod -U "$u" >/dev/null 2>&1
		run -- -e "$T/sub"
		want system-unlocked 0
		# shadow(5) aging: days since 1970, as chage(1) takes them.
		today=$(($(date +%s) / 86400))
		chage -d 0 "$u"
		run -- -e "$T/sub"
		want system-forced-change 1 && logged system-forced-change-log \
		    'reason=password change required'
		chage -d $((today - 40)) -M 30 -I 30 "$u"
		run -- -e "$T/sub"
		want system-password-expired 1 &&
		    logged system-password-expired-log \
		    'reason=password expired'
		chage -I 5 "$u"
		run -- -e "$T/sub"
		want system-inactive 1 && logged system-inactive-log \
		    'reason=account inactive'
		chage -d "$today" -M 30 -I 5 "$u"
		run -- -e "$T/sub"
		want system-password-fresh 0
		chage -M -1 -I -1 "$u"
		usermod -s /usr/sbin/nologin "$u"
		run -- -e "$T/sub"
		want system-nologin 1
		run -- -n -e "$T/sub"
		want system-nologin-allowed-by-n 0
		usermod -s /bin/sh "$u"
		usermod -g 0 "$u"
		run -- -e "$T/sub"
		want system-gid-0 1 && logged system-gid-0-log \
		    'reason=gid 0 refused'
		usermod -g "$TGID" -G root "$u"
		run -- -e "$T/sub"
		want system-group-0 1 && logged system-group-0-log \
		    'reason=member of group 0'
		usermod -G '' "$u"
		run -- -e "$T/sub"
		want system-groups-restored 0
	else
		fail system-useradd "useradd failed: $(cat "$T/err")"
	fi
else
	for c in system-yescrypt-hash system-good-password system-session \
	    system-bad-password system-shadow-unreadable system-expired \
	    system-locked system-unlocked system-forced-change \
	    system-password-expired system-inactive system-password-fresh \
	    system-nologin system-nologin-allowed-by-n system-gid-0 \
	    system-group-0 system-groups-restored; do
		skip "$c" "needs root, useradd, usermod, chage and chpasswd"
	done
fi

# No password ever reaches a log line.
leak=
for p in 'alice pw' 'alice pX' carolpw bobpw rootpw nohomepw otherpw \
    'hash pw' 'sys pw' gzpw nlpw flpw; do
	if grep -qF "$p" "$T/alllogs"; then
		leak="$leak [$p]"
	fi
done
if [ -z "$leak" ]; then
	ok no-password-in-logs
else
	: >"$T/err"
	fail no-password-in-logs "logged:$leak"
fi
exit 0
