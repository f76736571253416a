# Sourced by the benchmark scripts: start_postgres starts a PostgreSQL server of Debian's
# package for the run (in a temporary directory, on a free port, default durability) and sets
# postgres_url; the server and its files go when the script exits.
start_postgres() {
    local bin directory port
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    directory="$(mktemp -d)"
    postgres_as=()
    # The server refuses to run as root: then as the account the package created.
    if [ "$(id -u)" = 0 ]; then chown postgres "$directory"; postgres_as=(runuser -u postgres --); fi
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${postgres_as[@]}" "$bin/initdb" -D "$directory/data" -U postgres --auth=trust >/dev/null
    "${postgres_as[@]}" "$bin/pg_ctl" -D "$directory/data" -l "$directory/log" -w \
        -o "-p $port -k $directory -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_wal_size=4GB" start >/dev/null
    postgres_stop="\"\${postgres_as[@]}\" \"$bin/pg_ctl\" -D \"$directory/data\" -m immediate stop >/dev/null; rm -rf \"$directory\""
    trap "$postgres_stop" EXIT
    postgres_url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
}
