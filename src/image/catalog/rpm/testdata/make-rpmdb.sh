#!/usr/bin/env bash
# Regenerates rpmdb.sqlite: real RPM packages built with rpmbuild and recorded with `rpm --justdb` into an
# sqlite rpmdb (RHEL 9 / Fedora format). Needs Debian's rpm package. Not run by the tests.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)/rpmdb.sqlite
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
mkdir -p "$W/rpmbuild/SPECS" "$W/db"
spec() { # name version release epoch [subpackage]
  cat > "$W/rpmbuild/SPECS/$1.spec" <<EOF
Name: $1
Version: $2
Release: $3
$( [ "$4" != 0 ] && echo "Epoch: $4" )
Summary: fixture $1
License: Apache-2.0 AND MIT
BuildArch: x86_64
%description
fixture
$( [ -n "${5:-}" ] && printf '%%package %s\nSummary: fixture %s-%s\n%%description %s\nsub\n%%files %s\n' "$5" "$1" "$5" "$5" "$5" )
%files
EOF
  rpmbuild --define "_topdir $W/rpmbuild" -bb "$W/rpmbuild/SPECS/$1.spec" >/dev/null 2>&1
}
spec openssl 3.0.7 27.el9 1 libs
spec bash 5.1.8 9.el9 0
spec curl 7.76.1 29.el9_4 0 minimal
rpm --define '_db_backend sqlite' --dbpath "$W/db" --initdb
rpm --define '_db_backend sqlite' --dbpath "$W/db" -i --justdb --nodeps --noscripts --ignorearch --ignoreos \
  $(find "$W/rpmbuild/RPMS" -name '*.rpm') 2>/dev/null
python3 - "$W/db/rpmdb.sqlite" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=DELETE'); c.execute('VACUUM'); c.close()
EOF
cp "$W/db/rpmdb.sqlite" "$out"
rpm --define '_db_backend sqlite' --dbpath "$W/db" -qa --qf '%{NAME} %{EPOCH} %{VERSION}-%{RELEASE} %{SOURCERPM}\n'
