# Every image of the Compose stack built from Debian's packages, for machines that run Docker
# but cannot pull images (docker/compose.local.yaml selects these targets). They build on
# webstack/debian:bookworm, which docker/base-image.sh makes with debootstrap; the app image
# takes the jar that the project's own build made (./mvnw package), so build that first.
# The app is the last target: the others build without the jar.
#
# Each target runs its component as it runs natively (the same programs and versions as
# ./stack up: HAProxy 2.6, Nginx 1.22, MariaDB 10.11, Prometheus 2.42, OpenJDK 17) and as
# the official image it stands in for does (the same paths, users, entrypoint behaviour).
ARG BASE=webstack/debian:bookworm

# With keepalived beside HAProxy for the ha flavour (docker/compose.ha.yaml), which starts the
# container as root with KEEPALIVED_* set; otherwise the entrypoint runs HAProxy alone.
FROM ${BASE} AS lb
RUN apt-get update && apt-get install -y haproxy keepalived curl iproute2 && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /usr/local/etc/haproxy
COPY docker/local/lb-entrypoint.sh /usr/local/bin/lb-entrypoint.sh
COPY haproxy/keepalived.sh /usr/local/lib/webstack/keepalived.sh
USER haproxy
EXPOSE 80 443 8404
ENTRYPOINT ["/usr/local/bin/lb-entrypoint.sh"]
CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]

# As the official nginx image: templates/*.template rendered at start with the environment's
# values (only the variables the environment defines), then Nginx in the foreground, its
# master as root and its workers as nobody.
FROM ${BASE} AS web
RUN apt-get update && apt-get install -y nginx gettext-base curl && rm -rf /var/lib/apt/lists/* \
    && rm -f /etc/nginx/sites-enabled/default
COPY docker/local/web-entrypoint.sh /usr/local/bin/web-entrypoint.sh
COPY src/main/resources/static /usr/share/nginx/html
EXPOSE 8081 8082 8090
ENTRYPOINT ["/usr/local/bin/web-entrypoint.sh"]
CMD ["nginx", "-p", "/var/lib/nginx/", "-g", "daemon off;"]

# As the official mysql image: the first start makes the data directory, sets root's
# password from MYSQL_ROOT_PASSWORD_FILE and runs /docker-entrypoint-initdb.d/*.sh; then the
# server runs with the options given as the command. Galera (galera-4, and rsync for its state
# transfers) for the ha flavour's cluster.
FROM ${BASE} AS db
RUN apt-get update && apt-get install -y mariadb-server galera-4 rsync iproute2 procps \
    && rm -rf /var/lib/apt/lists/* \
    && rm -rf /var/lib/mysql/* && mkdir -p /run/mysqld /docker-entrypoint-initdb.d \
    && chown mysql:mysql /var/lib/mysql /run/mysqld
COPY docker/local/db-entrypoint.sh /usr/local/bin/db-entrypoint.sh
USER mysql
EXPOSE 3306
ENTRYPOINT ["/usr/local/bin/db-entrypoint.sh"]

FROM ${BASE} AS prometheus
RUN apt-get update && apt-get install -y prometheus && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /prometheus && chown nobody:nogroup /prometheus
USER nobody
EXPOSE 9090
CMD ["prometheus", "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", \
  "--storage.tsdb.retention.time=2d", "--web.listen-address=:9090"]

FROM ${BASE} AS app
RUN apt-get update && apt-get install -y openjdk-17-jre-headless && rm -rf /var/lib/apt/lists/* \
    && groupadd --system webstack && useradd --system --gid webstack --home-dir /app webstack
WORKDIR /app
COPY target/webstack.jar /app/webstack.jar
USER webstack
EXPOSE 9001 9101
# The JVM options of docker/Dockerfile's app image (those of the native app servers).
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["java", "-XX:TieredStopAtLevel=1", "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", \
  "-Xss512k", "-XX:ReservedCodeCacheSize=64m", "-XX:TrimNativeHeapInterval=5000", "-jar", "/app/webstack.jar"]
