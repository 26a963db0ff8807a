#!/bin/sh
# Makes imerr's release files in dist/ from a commit (HEAD by default):
#   imerr-VERSION.tar.gz        the sources (git archive), top folder
#                               imerr-VERSION/
#   imerr-VERSION-1.rockspec    the release rockspec, its source.url set to
#                               $IMERR_RELEASE_URL/imerr-VERSION.tar.gz, or
#                               without it to the tarball in dist/ (file://)
#   imerr-VERSION-1.src.rock    rockspec and tarball in one, as `luarocks
#                               pack` makes it: `luarocks build` installs
#                               it offline
# usage: [IMERR_RELEASE_URL=https://...] sh scripts/release.sh [COMMIT]
# VERSION is IMERR_VERSION of src/imerr.h in that commit. To publish, set
# IMERR_RELEASE_URL to where the tarball will be, upload the tarball and
# the source rock.
set -eu
cd "$(dirname "$0")/.."
ref=${1:-HEAD}
version=$(git show "$ref:src/imerr.h" |
  sed -n 's/^#define IMERR_VERSION "\(.*\)"$/\1/p')
[ -n "$version" ] || { echo "release: no IMERR_VERSION" >&2; exit 1; }
name=imerr-$version
rockspec=$name-1.rockspec
git cat-file -e "$ref:rockspecs/$rockspec" 2>/dev/null ||
  { echo "release: no rockspecs/$rockspec in $ref" >&2; exit 1; }
if [ "$ref" = HEAD ] && [ -n "$(git status --porcelain)" ]; then
  echo "release: uncommitted changes are not in the tarball" >&2
fi
mkdir -p dist
dist=$(cd dist && pwd)
url=${IMERR_RELEASE_URL:-file://$dist}/$name.tar.gz
rm -f "dist/$name.tar.gz" "dist/$rockspec" "dist/$name-1.src.rock"
git archive --format=tar.gz --prefix="$name/" -o "dist/$name.tar.gz" "$ref"
# The committed rockspec names the tarball alone; here it gets its URL.
git show "$ref:rockspecs/$rockspec" |
  sed "s|^  url = \"$name.tar.gz\",\$|  url = \"$url\",|" >"dist/$rockspec"
grep -q "^  url = \"$url\",\$" "dist/$rockspec" ||
  { echo "release: no url = \"$name.tar.gz\" in $rockspec" >&2; exit 1; }
# A source rock is a zip of the rockspec and the file source.url names:
# what `luarocks pack` makes, without fetching the URL.
(cd dist && zip -q "$name-1.src.rock" "$rockspec" "$name.tar.gz")
ls -l "dist/$name.tar.gz" "dist/$rockspec" "dist/$name-1.src.rock"
