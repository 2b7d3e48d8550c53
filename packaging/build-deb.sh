#!/usr/bin/env bash
# Builds the Debian package from this checkout (or an unpacked tarball: no git needed), with no
# network once the Swift dependencies are resolved:
#   packaging/build-deb.sh        ->  .build-deb/reconcile_<VERSION>_amd64.deb
# The version is the VERSION file's. The binary is built release with the Swift standard
# library linked statically, so the package needs only Debian's C libraries (Depends: is
# computed by dpkg-shlibdeps from the binary). The units, the man page and the completions
# are made by the binary itself from its argument definitions, so they never drift from --help.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH:/usr/sbin:/sbin"

version="$(tr -d ' \n' < VERSION)"
arch=amd64
out=.build-deb
root="$out/root"
deb="$out/reconcile_${version}_${arch}.deb"

# The build's date, for the man page and the changelog: the last commit's, or VERSION's in a tarball.
epoch="$(git log -1 --format=%ct 2>/dev/null || stat -c %Y VERSION)"

# -z now: every symbol bound at start, so the relocations can be read-only (lintian's bindnow).
release=(-c release --static-swift-stdlib -Xlinker -z -Xlinker now)
swift build "${release[@]}" --product reconcile
binary="$(swift build "${release[@]}" --show-bin-path)/reconcile"
built="$("$binary" --version)"
[ "$built" = "$version" ] || { echo "the binary says version $built, VERSION says $version" >&2; exit 1; }

# The man page: swift-argument-parser's generate-manual plugin, on the debug build (the one
# `swift test` already made; the page does not depend on the configuration).
swift package plugin generate-manual --configuration debug --date "$(date -u -d "@$epoch" +%Y-%m-%d)" >/dev/null
manual="$(find .build/plugins -path '*GenerateManual*' -name reconcile.1 | head -n 1)"
[ -n "$manual" ] || { echo "generate-manual made no reconcile.1" >&2; exit 1; }

rm -rf "$root"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/share/man/man1" \
    "$root/usr/share/doc/reconcile/examples" "$root/usr/share/bash-completion/completions" \
    "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d"
install -m 0755 "$binary" "$root/usr/bin/reconcile"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/reconcile"

# The units, as `reconcile units` makes them for the installed binary (plan mode: detect and
# alert; not enabled: the operator writes the desired state first).
units="$("$root/usr/bin/reconcile" units --executable /usr/bin/reconcile --desired /etc/reconcile/desired-state \
    --state-dir /var/lib/reconcile 2>/dev/null)"
awk -v dir="$root/lib/systemd/system" '
    /^# reconcile\.(service|timer)$/ { file = dir "/" substr($0, 3); next }
    file { print > file }' <<<"$units"
for unit in reconcile.service reconcile.timer; do
    [ -s "$root/lib/systemd/system/$unit" ] || { echo "reconcile units made no $unit" >&2; exit 1; }
    chmod 0644 "$root/lib/systemd/system/$unit"
done

# A blank line in a help text is a paragraph break: .Pp in mdoc (groff warns on an empty line).
sed 's/^$/.Pp/' "$manual" | gzip -9n > "$root/usr/share/man/man1/reconcile.1.gz"
# bash sources a completion file: no #! line (lintian's bash-completion-with-hashbang).
"$binary" --generate-completion-script bash | sed '1{/^#!/d}' > "$root/usr/share/bash-completion/completions/reconcile"
"$binary" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_reconcile"
"$binary" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/reconcile.fish"

# The bundled example (DESIGN §1), its relative paths kept: `reconcile plan --desired
# /usr/share/doc/reconcile/examples/desired-state` shows the outage.
cp -R desired-state example "$root/usr/share/doc/reconcile/examples/"
install -m 0644 packaging/copyright "$root/usr/share/doc/reconcile/copyright"
printf 'reconcile (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- reconcile maintainers <maintainers@users.noreply.r-seed-e4b1e34c.example>  %s\n' \
    "$version" "$version" "$(date -R -u -d "@$epoch")" |
    gzip -9n > "$root/usr/share/doc/reconcile/changelog.gz"
find "$root" -type d -exec chmod 0755 {} +
find "$root/usr/share" -type f -exec chmod 0644 {} +

# Depends: what the binary links, as dpkg-shlibdeps reads it (it wants a debian/control).
shlib="$out/shlibdeps"
rm -rf "$shlib" && mkdir -p "$shlib/debian"
printf 'Source: reconcile\n\nPackage: reconcile\nArchitecture: any\n' > "$shlib/debian/control"
depends="$(cd "$shlib" && dpkg-shlibdeps -O "$OLDPWD/$root/usr/bin/reconcile" | sed -n 's/^shlibs:Depends=//p')"
[ -n "$depends" ] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$depends/" -e "s/@SIZE@/$size/" \
    packaging/control.in > "$root/DEBIAN/control"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\n' | sort | xargs md5sum > DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

dpkg-deb --build --root-owner-group -Zxz "$root" "$deb" >/dev/null
echo "$deb"
