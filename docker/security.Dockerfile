# The secure compose variant's tool image (docker-compose.secure.yml): ./biometer security
# init|apply|schemas (io.biometer.devstack.security.SecurityApp) on the devstack module's classpath,
# built from the sources inside Docker, so the host needs no Java. Build from the repository root:
#   docker build -f docker/security.Dockerfile -t biometer-security .
#   docker run --rm biometer-security --help
#
# One Dockerfile per image, each naming the one module it builds (see streams-app.Dockerfile).

# Build stage: the Maven wrapper on a pinned JDK 17, the same command as ./biometer's build
# (-pl MODULE -am package); devstack's package copies its runtime classpath to target/lib.
FROM eclipse-temurin:17.0.15_6-jdk-noble AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    chmod +x mvnw \
    && ./mvnw -B -DskipTests -pl devstack -am package \
    && mkdir -p /out/lib \
    && cp devstack/target/lib/*.jar /out/lib/ \
    && cp $(ls devstack/target/biometer-devstack-*.jar | grep -v -- '-tests.jar') /out/lib/

# Runtime stage: a pinned JRE 17, as an unprivileged user. The init one-shot runs as root
# (compose's user: "0") only to hand each service's folder to the user that service runs as.
FROM eclipse-temurin:17.0.15_6-jre-noble
RUN groupadd --system --gid 10001 biometer \
    && useradd --system --uid 10001 --gid biometer --home-dir /var/lib/biometer --create-home \
       --shell /usr/sbin/nologin biometer
COPY --from=build /out/lib/ /opt/biometer/lib/
USER biometer
WORKDIR /var/lib/biometer
ENV JAVA_OPTS="" \
    BIOMETER_SECURITY_DIR=/run/biometer/security
# Its services are one-shots (compose awaits their exit code); as a long-running container it is
# healthy once the material exists.
HEALTHCHECK --interval=10s --timeout=5s --retries=3 \
    CMD ["/bin/sh", "-c", "test -f \"$BIOMETER_SECURITY_DIR/credentials.properties\""]
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -cp '/opt/biometer/lib/*' io.biometer.devstack.security.SecurityApp \"$@\"", "security"]
CMD ["--help"]
