# The streams app (io.biometer.streams.StreamsApp), built from the sources inside Docker, so the
# host needs no Java. Build from the repository root (docker-compose.yml does):
#   docker build -f docker/streams-app.Dockerfile -t biometer-streams-app .
#
# One Dockerfile per image, each naming the one module it builds: an image rebuilds only for its
# own module (and what it depends on), and ComposeFileTest checks every Dockerfile's Maven command
# against the reactor's modules.

# Build stage: the Maven wrapper on a pinned JDK 17, the same command as ./biometer's build
# (-pl MODULE -am package), plus the module's runtime classpath copied to target/dependency.
# ~/.m2 is a BuildKit cache shared by the three images' builds (locked: one Maven at a time).
FROM eclipse-temurin:17.0.15_6-jdk-noble AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    chmod +x mvnw \
    && ./mvnw -B -DskipTests -pl streams-app -am package dependency:copy-dependencies -DincludeScope=runtime \
    && mkdir -p /out/lib \
    && cp streams-app/target/biometer-streams-app-*.jar streams-app/target/dependency/*.jar /out/lib/

# Runtime stage: a pinned JRE 17 on Ubuntu (glibc: RocksDB's native library, which Kafka Streams'
# state stores load, is built for glibc, so not Alpine), as an unprivileged user.
FROM eclipse-temurin:17.0.15_6-jre-noble
RUN groupadd --system --gid 10001 biometer \
    && useradd --system --uid 10001 --gid biometer --home-dir /var/lib/biometer --create-home \
       --shell /usr/sbin/nologin biometer
COPY --from=build /out/lib/ /opt/biometer/lib/
COPY docker/streams-app/logback.xml /opt/biometer/logback.xml
COPY docker/streams-app/healthcheck.sh /opt/biometer/bin/healthcheck.sh
RUN chmod 755 /opt/biometer/bin/healthcheck.sh
USER biometer
WORKDIR /var/lib/biometer
# State (state.dir) defaults to data/streams under the working directory; the stores are rebuilt
# from their changelog topics when a container starts without them. The short GC pause target is
# ./biometer's: alerts are latency-sensitive.
ENV JAVA_OPTS="-XX:MaxGCPauseMillis=20" \
    BIOMETER_STREAMS_METRICS_HOST=0.0.0.0 \
    BIOMETER_STREAMS_METRICS_PORT=8090
EXPOSE 8090
# GET /health on the metrics port: 200 while Kafka Streams is RUNNING, 503 with the state
# otherwise (REBALANCING while instances join or leave, so the retries outlast a rebalance).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
    CMD ["/opt/biometer/bin/healthcheck.sh"]
# exec: the JVM is PID 1 and gets SIGTERM from docker stop, so the shutdown hook closes Kafka
# Streams cleanly and the instance leaves its group at once. Arguments go to StreamsApp
# (e.g. --config FILE); configuration otherwise comes from BIOMETER_STREAMS_* variables.
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -Dlogback.configurationFile=/opt/biometer/logback.xml -cp '/opt/biometer/lib/*' io.biometer.streams.StreamsApp \"$@\"", "streams-app"]
