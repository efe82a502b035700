# A Kafka Connect worker in distributed mode holding biometer's plugin (the QuestDB sink and the
# Avro converter), on the official apache/kafka image of the Kafka the build uses. The plugin is
# built from the sources inside Docker, so the host needs no Java. Build from the repository root
# (docker-compose.yml does):
#   docker build -f docker/connect.Dockerfile -t biometer-connect .
#
# One Dockerfile per image, each naming the one module it builds (see streams-app.Dockerfile).

# Build stage: the Maven wrapper on a pinned JDK 17, the same command as ./biometer's build
# (-pl MODULE -am package); it leaves the plugin zip in sink-connectors/target/plugin/.
FROM eclipse-temurin:17.0.15_6-jdk-noble AS build
WORKDIR /src
# Prometheus' JMX exporter agent, from Maven Central through the same Maven (-N: the parent POM
# alone, for its plugin versions), before the sources so that editing them does not fetch it again.
ARG JMX_EXPORTER_VERSION=1.0.1
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    chmod +x mvnw \
    && ./mvnw -B -N dependency:copy \
       -Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:${JMX_EXPORTER_VERSION} \
       -DoutputDirectory=/out/jmx -Dmdep.stripVersion=true
COPY . .
# The plugin goes in as any Connect user installs it: its released zip, unpacked into a folder
# of plugin.path (biometer-connect-<version>/ with manifest.json, lib/, etc/).
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    chmod +x mvnw \
    && ./mvnw -B -DskipTests -pl sink-connectors -am package \
    && mkdir -p /out/plugins \
    && cd /out/plugins \
    && jar xf /src/sink-connectors/target/plugin/biometer-connect-*.zip

# Runtime stage: the official image, which runs as its own unprivileged user, appuser; root only
# to add our files.
FROM apache/kafka:4.3.1
USER root
COPY --from=build /out/plugins/ /opt/biometer/connect-plugins/
COPY --from=build /out/jmx/jmx_prometheus_javaagent.jar /opt/biometer/jmx/jmx_prometheus_javaagent.jar
COPY docker/connect/worker.properties docker/connect/jmx-exporter.yaml /opt/biometer/connect/
COPY docker/connect/start.sh docker/connect/healthcheck.sh /opt/biometer/bin/
RUN chmod -R a+rX /opt/biometer \
    && chmod 755 /opt/biometer/bin/start.sh /opt/biometer/bin/healthcheck.sh
USER appuser
# Connect has no Prometheus endpoint of its own: start.sh adds the JMX exporter agent to the
# worker's JVM, which then serves Connect's metrics (worker, connectors, tasks, its consumers' lag)
# and the JVM's on :9404/metrics. Only to the worker's: Kafka's tools run in this container
# (kafka-topics.sh, ...) would otherwise try to take the same port.
ENV KAFKA_HEAP_OPTS="-Xms128m -Xmx768m" \
    JMX_EXPORTER_PORT=9404
EXPOSE 8083 9404
# GET /health (KIP-1017) answers 200 once the worker has joined its group and is running.
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=6 \
    CMD ["/opt/biometer/bin/healthcheck.sh"]
ENTRYPOINT ["/opt/biometer/bin/start.sh"]
CMD []
