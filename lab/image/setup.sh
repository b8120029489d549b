#!/bin/sh
# Runs inside `chroot ROOTFS` while the lab builds its cached image (lab/rootfs.ts), after
# debootstrap. Makes the image a fresh vProtect-like Debian server; see ../shared/LAB.md steps 2-3.
# Expects: /proc mounted, the Debian mirror in /etc/apt/sources.list (removed here at the end),
# the stand-in apt repository bound at /srv/lab-apt.
set -eu
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

# Nothing starts services inside the chroot.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d

apt-get update
apt-get install -y --no-install-recommends \
  openssh-server mariadb-server mariadb-client pacemaker pacemaker-cli-utils corosync pcs corosync-qdevice corosync-qnetd \
  resource-agents drbd-utils kmod python3 sudo procps iputils-ping psmisc curl xfsprogs

# The stand-in vProtect product (1.0), from the lab's own repository only.
echo 'deb [trusted=yes] file:/srv/lab-apt ./' > /etc/apt/sources.list.d/lab.list
apt-get update
apt-get install -y --no-install-recommends vprotect-server=1.0 vprotect-node=1.0

# A vProtect database, as a fresh vProtect install has one.
install -d -o mysql -g mysql /run/mysqld
/usr/sbin/mariadbd --user=mysql --skip-networking --socket=/run/mysqld/mysqld.sock \
  --pid-file=/run/mysqld/mysqld.pid --log-error=/tmp/mariadb-seed.err &
i=0
until mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 300 ] || { cat /tmp/mariadb-seed.err; exit 1; }
  sleep 0.1
done
mariadb --socket=/run/mysqld/mysqld.sock <<'SQL'
CREATE DATABASE vprotect;
CREATE TABLE vprotect.settings (name VARCHAR(64) PRIMARY KEY, value VARCHAR(255) NOT NULL);
INSERT INTO vprotect.settings VALUES ('schema_version', '1.0'), ('installed_by', 'lab stand-in');
CREATE TABLE vprotect.tasks (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL,
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
INSERT INTO vprotect.tasks (name) VALUES ('inventory sync'), ('backup policy check');
SQL
mariadb-admin --socket=/run/mysqld/mysqld.sock shutdown
wait
rm -rf /run/mysqld /tmp/mariadb-seed.err

# A fresh server: only ssh and networkd start at boot; the cluster stack and MariaDB wait for the roles.
# Debian's default /etc/corosync/corosync.conf stays: the pacemaker role must cope with it (LAB.md).
systemctl enable ssh.service systemd-networkd.service
systemctl disable mariadb.service corosync.service pacemaker.service pcsd.service corosync-qdevice.service corosync-qnetd.service
systemctl disable pcsd-ruby.service 2>/dev/null || true
systemctl mask getty@.service console-getty.service serial-getty@.service container-getty@.service
for t in /lib/systemd/system/*.timer; do systemctl mask "$(basename "$t")"; done
mkdir -p /etc/systemd/system.conf.d
printf '[Manager]\nDefaultTimeoutStopSec=10s\n' > /etc/systemd/system.conf.d/lab.conf

# Per-host identity comes from the lab at `up`: host keys, machine-id, hostname.
rm -f /etc/ssh/ssh_host_*
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id /etc/hostname
printf '127.0.0.1\tlocalhost\n' > /etc/hosts

# Offline apt: the lab repository only, its lists ready.
echo 'deb [trusted=yes] file:/srv/lab-apt ./' > /etc/apt/sources.list.d/lab.list
rm -f /etc/apt/sources.list /etc/apt/apt.conf.d/00lab-build
rm -rf /var/lib/apt/lists/*
apt-get update
apt-get clean
rm -f /usr/sbin/policy-rc.d
: > /etc/resolv.conf
rm -rf /var/log/*.log /var/log/apt/*
