#!/usr/bin/env bash
# Compiles and runs testkit test classes in isolation (own output dir, no Maven), so several people
# can work on different tests at once. Requires `./mvnw -pl hubspot-sync-testkit -am package -DskipTests`
# to have built target/classes once.   usage: tools/run-testkit-test.sh SomeTest [OtherTest ...]
set -euo pipefail
cd "$(dirname "$0")/.."
mod=hubspot-sync-testkit
out=$(mktemp -d /tmp/tk-test-XXXX)
m2=${HOME}/.m2/repository
# the module's test classpath as Maven resolves it (Arrow, Jackson, JUnit, …), computed once
deps=hubspot-sync-testkit/target/test-classpath.txt
if [ ! -s "$deps" ]; then
  ./mvnw -q -o -B -pl hubspot-sync-testkit dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$deps" >/dev/null
fi
cp=hubspot-sync-testkit/target/classes:hubspot-sync-core/target/classes:$(cat "$deps")
cp=$cp:$m2/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar
srcs=("$mod/src/test/java/dev/hubspotsync/testkit/Http.java")
sel=()
for t in "$@"; do
  srcs+=("$mod/src/test/java/dev/hubspotsync/testkit/$t.java")
  sel+=(--select-class "dev.hubspotsync.testkit.$t")
done
javac -Xlint:all -Xlint:-processing -d "$out" -cp "$cp" "${srcs[@]}"
java --add-opens=java.base/java.nio=ALL-UNNAMED -Duser.timezone=UTC -jar $m2/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar \
  execute -cp "$out:$cp" "${sel[@]}" --details=tree --disable-banner 2>&1 | tail -n 80
rm -rf "$out"
