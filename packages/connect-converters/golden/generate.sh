#!/usr/bin/env bash
# Regenerates fixtures/ with Apache Kafka's own JsonConverter (connect-json 3.9.2 from Maven Central).
# Needs Maven and a JDK 19+ (Java 19 changed Double/Float.toString to the shortest digits, which is what
# we match; one is found on the machine or installed into the test cache). The fixtures are committed,
# the jars are not.
set -euo pipefail
cd "$(dirname "$0")"
SVC=golden
# shellcheck source=../../../test/services/lib.sh
source ../../../test/services/lib.sh
java=$(java_at_least 19)
bin=$(dirname "$java")
[[ -x $bin/javac ]] || die "$bin has no javac (a JDK is needed, not a JRE)"
mvn -q dependency:copy-dependencies -DoutputDirectory=lib
rm -rf classes && mkdir -p classes
"$bin/javac" -cp 'lib/*' -d classes src/*.java
rm -rf fixtures && mkdir -p fixtures
"$java" -cp 'lib/*:classes' Golden fixtures
