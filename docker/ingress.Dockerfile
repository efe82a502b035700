# The ingress gateway (io.biometer.ingress.IngressApp), built from the sources inside Docker, so
# the host needs no Java. Build from the repository root (docker-compose.yml does):
#   docker build -f docker/ingress.Dockerfile -t biometer-ingress .
#
# One Dockerfile per image, each naming the one module it builds (see streams-app.Dockerfile).

# Build stage: the Maven wrapper on a pinned JDK 17, the same command as ./biometer's build
# (-pl MODULE -am package), plus the module's runtime classpath copied to target/dependency.
FROM eclipse-temurin:17.0.15_6-jdk-noble AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    chmod +x mvnw \
    && ./mvnw -B -DskipTests -pl ingress -am package dependency:copy-dependencies -DincludeScope=runtime \
    && mkdir -p /out/lib \
    && cp ingress/target/biometer-ingress-*.jar ingress/target/dependency/*.jar /out/lib/ \
    && rm -f /out/lib/biometer-ingress-*-tests.jar

# Runtime stage: a pinned JRE 17 on Ubuntu, as an unprivileged user.
FROM eclipse-temurin:17.0.15_6-jre-noble
RUN groupadd --system --gid 10001 biometer \
    && useradd --system --uid 10001 --gid biometer --home-dir /var/lib/biometer --create-home \
       --shell /usr/sbin/nologin biometer
COPY --from=build /out/lib/ /opt/biometer/lib/
COPY docker/ingress/logback.xml /opt/biometer/logback.xml
COPY docker/ingress/healthcheck.sh /opt/biometer/bin/healthcheck.sh
RUN chmod 755 /opt/biometer/bin/healthcheck.sh
USER biometer
WORKDIR /var/lib/biometer
# Inside its container the gateway listens on every address; compose publishes the ports on the
# host's loopback only. Without BIOMETER_INGRESS_TLS_KEYSTORE it is plain text and says so.
ENV JAVA_OPTS="" \
    BIOMETER_INGRESS_BIND_HOST=0.0.0.0 \
    BIOMETER_INGRESS_HTTP_PORT=8480
EXPOSE 8480 1883 8490 8491/udp
# GET /health on the HTTP port: 200 once every front end listens.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
    CMD ["/opt/biometer/bin/healthcheck.sh"]
# exec: the JVM is PID 1 and gets SIGTERM from docker stop, so the shutdown hook closes the front
# ends and flushes the producer. Arguments go to IngressApp (e.g. --config FILE); configuration
# otherwise comes from BIOMETER_INGRESS_* variables.
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -Dlogback.configurationFile=/opt/biometer/logback.xml -cp '/opt/biometer/lib/*' io.biometer.ingress.IngressApp \"$@\"", "ingress"]
