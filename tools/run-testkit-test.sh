#!/usr/bin/env bash
# Compiles and runs testkit test classes in isolation (own output dir, no Maven), so several people
# can work on different tests at once. Requires `./mvnw -pl hubspot-sync-testkit -am package -DskipTests`
# to have built target/classes once.   usage: tools/run-testkit-test.sh SomeTest [OtherTest ...]
set -euo pipefail
cd "$(dirname "$0")/.."
mod=hubspot-sync-testkit
out=$(mktemp -d /tmp/tk-test-XXXX)
m2=${HOME}/.m2/repository
cp=$mod/target/classes:hubspot-sync-core/target/classes
m2=${HOME}/.m2/repository
cp=$cp:$m2/org/slf4j/slf4j-api/2.0.20/slf4j-api-2.0.20.jar
for j in com/fasterxml/jackson/core/jackson-databind/2.22.4/jackson-databind-2.22.4.jar \
         com/fasterxml/jackson/core/jackson-annotations/2.22/jackson-annotations-2.22.jar \
         com/fasterxml/jackson/core/jackson-core/2.22.4/jackson-core-2.22.4.jar \
         org/assertj/assertj-core/3.27.7/assertj-core-3.27.7.jar \
         org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar; do
  cp=$cp:$m2/$j
done
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
