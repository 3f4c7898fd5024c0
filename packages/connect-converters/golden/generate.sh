#!/usr/bin/env bash
# Regenerates fixtures/ with Apache Kafka's own JsonConverter (connect-json 3.9.1).
# Needs a JDK (17+) and Maven; run from anywhere. The fixtures are committed, the jars are not.
set -euo pipefail
cd "$(dirname "$0")"
mvn -q dependency:copy-dependencies -DoutputDirectory=lib
rm -rf classes && mkdir -p classes
javac -cp 'lib/*' -d classes src/Golden.java
rm -rf fixtures && mkdir -p fixtures
java -cp 'lib/*:classes' Golden fixtures
