#!/bin/bash
# Runs once, when the MariaDB volume is new: one database and one account per service, each
# account granted its own database only (no service reads another's tables).
set -euo pipefail
for s in contract ticket billing reporting; do
  pw=$(cat "/etc/sla-db/$s/password")
  mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" <<SQL
CREATE DATABASE IF NOT EXISTS sla_$s CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'sla_$s'@'%' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON sla_$s.* TO 'sla_$s'@'%';
SQL
done
