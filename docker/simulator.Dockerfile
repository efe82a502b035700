# The simulator and load generator (io.biometer.simulator.SimulatorApp), built from the sources
# inside Docker, so the host needs no Java. Build from the repository root (docker-compose.yml
# does):
#   docker build -f docker/simulator.Dockerfile -t biometer-simulator .
#   docker run --rm biometer-simulator run --help
#
# One Dockerfile per image, each naming the one module it builds (see streams-app.Dockerfile).

# Build stage: the Maven wrapper on a pinned JDK 17, the same command as ./biometer's build
# (-pl MODULE -am package), plus the module's runtime classpath copied to target/dependency.
FROM eclipse-temurin:17.0.15_6-jdk-noble AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    chmod +x mvnw \
    && ./mvnw -B -DskipTests -pl simulator -am package dependency:copy-dependencies -DincludeScope=runtime \
    && mkdir -p /out/lib \
    && cp simulator/target/biometer-simulator-*.jar simulator/target/dependency/*.jar /out/lib/

# Runtime stage: a pinned JRE 17, as an unprivileged user.
FROM eclipse-temurin:17.0.15_6-jre-noble
RUN groupadd --system --gid 10001 biometer \
    && useradd --system --uid 10001 --gid biometer --home-dir /var/lib/biometer --create-home \
       --shell /usr/sbin/nologin biometer
COPY --from=build /out/lib/ /opt/biometer/lib/
COPY docker/simulator/run.sh docker/simulator/healthcheck.sh /opt/biometer/bin/
RUN chmod 755 /opt/biometer/bin/run.sh /opt/biometer/bin/healthcheck.sh
USER biometer
WORKDIR /var/lib/biometer
# JVM options for the simulator (none by default).
ENV JAVA_OPTS=""
# The simulator serves no HTTP endpoint. It prints a progress line every second, which run.sh
# also keeps in a file: healthy while that line is fresh and Kafka is reachable (not spooling).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/opt/biometer/bin/healthcheck.sh"]
ENTRYPOINT ["/opt/biometer/bin/run.sh"]
CMD ["run", "--help"]
