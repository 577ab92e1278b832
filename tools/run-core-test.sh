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
cp=hubspot-sync-testkit/target/classes:hubspot-sync-core/target/classes
for j in com/fasterxml/jackson/core/jackson-databind/2.22.4/jackson-databind-2.22.4.jar \
         com/fasterxml/jackson/core/jackson-annotations/2.22/jackson-annotations-2.22.jar \
         com/fasterxml/jackson/core/jackson-core/2.22.4/jackson-core-2.22.4.jar \
         org/slf4j/slf4j-api/2.0.20/slf4j-api-2.0.20.jar \
         org/slf4j/slf4j-simple/2.0.20/slf4j-simple-2.0.20.jar \
         org/assertj/assertj-core/3.27.7/assertj-core-3.27.7.jar \
         org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar; do
  cp=$cp:$m2/$j
done
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
