#!/usr/bin/env bash
# Compiles hubspot-sync-core (main) and the named tests of hubspot-sync-core-tests into a private directory and runs the tests,
# without Maven, so several people can work on different tests at once. Needs the testkit built once:
# ./mvnw -pl hubspot-sync-testkit -am package -DskipTests
# Compiles main sources, test utilities and only the named tests.
# usage: tools/run-core-test.sh dev.hubspotsync.ratelimit.SomeTest [more fully-qualified test classes]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/core-test-XXXX)
m2=${HOME}/.m2/repository
# the module's test classpath as Maven resolves it (Arrow, Jackson, JUnit, …), computed once
deps=hubspot-sync-core-tests/target/test-classpath.txt
if [ ! -s "$deps" ]; then
  ./mvnw -q -o -B -pl hubspot-sync-core-tests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$deps" >/dev/null
fi
cp=hubspot-sync-testkit/target/classes:hubspot-sync-core/target/classes:$(cat "$deps")
cp=$cp:$m2/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar
srcs=$(find hubspot-sync-core/src/main/java -name '*.java')
tdir=hubspot-sync-core-tests/src/test
# test utilities (files not ending in Test.java/IT.java) plus only the named tests
tsrcs=$(find $tdir/java -name '*.java' ! -name '*Test.java' ! -name '*IT.java')
sel=()
for t in "$@"; do
  sel+=(--select-class "$t")
  tsrcs="$tsrcs hubspot-sync-core-tests/src/test/java/$(echo "$t" | tr . /).java"
done
javac -Xlint:all -Xlint:-processing -d "$out" -cp "$cp" $srcs $tsrcs
[ -d $tdir/resources ] && cp -r $tdir/resources/. "$out"/
java --add-opens=java.base/java.nio=ALL-UNNAMED -Duser.timezone=UTC -jar $m2/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar \
  execute -cp "$out:$cp" "${sel[@]}" --details=tree --disable-banner 2>&1 | tail -n 100
rm -rf "$out"
