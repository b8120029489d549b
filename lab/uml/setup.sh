#!/bin/sh
# Runs on the controller while lab/uml-image.ts builds the storage tier's root image: ROOT is an overlay
# of the shared nspawn rootfs (setup.sh made it a fresh server). Adds only what a host with its own UML
# kernel needs; each host's identity comes from its seed directory at first boot (lab/uml-host.ts).
set -eu
ROOT=$1
KERNEL=$2

# The root disk is ubd0; nothing else is mounted from fstab (/vprotect_data belongs to pacemaker).
printf '/dev/ubda / ext4 errors=remount-ro 0 1\n' > "$ROOT/etc/fstab"

# First boot: copy the host's files (hostname, hosts, address, host keys, root's key, license) from its
# seed directory on the controller, read through hostfs (the kernel's hostfs= confines it to that directory).
cat > "$ROOT/usr/local/sbin/lab-seed" <<'EOF'
#!/bin/sh
set -eu
[ -e /etc/lab-seeded ] && exit 0
mkdir -p /run/lab-seed
mount -t hostfs -o ro none /run/lab-seed
cp -a /run/lab-seed/files/. /
umount /run/lab-seed
date -u > /etc/lab-seeded
EOF
chmod 755 "$ROOT/usr/local/sbin/lab-seed"
cat > "$ROOT/etc/systemd/system/lab-seed.service" <<'EOF'
[Unit]
Description=Lab host identity from the controller (first boot only)
DefaultDependencies=no
After=local-fs.target
Before=systemd-networkd.service ssh.service systemd-udev-trigger.service sysinit.target
ConditionPathExists=!/etc/lab-seeded

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/lab-seed
RemainAfterExit=yes

[Install]
WantedBy=sysinit.target
EOF
ln -sf /etc/systemd/system/lab-seed.service "$ROOT/etc/systemd/system/sysinit.target.wants/lab-seed.service"

# The lab's interface is host0 on both tiers (nspawn names it so). The image has no udev, and networkd leaves
# alone the links udev never initialized: a unit renames the kernel's eth0 and gives it the address the host's
# .network file names (the same file nspawn hosts' networkd reads), on every boot.
cat > "$ROOT/usr/local/sbin/lab-nic" <<'EOF'
#!/bin/sh
set -eu
[ -e /sys/class/net/eth0 ] && ip link set dev eth0 name host0
addr=$(sed -n 's/^Address=//p' /etc/systemd/network/10-lab-host0.network)
[ -n "$addr" ] || { echo "no Address= in /etc/systemd/network/10-lab-host0.network" >&2; exit 1; }
ip link set dev lo up
ip addr replace "$addr" dev host0
ip link set dev host0 up
EOF
chmod 755 "$ROOT/usr/local/sbin/lab-nic"
cat > "$ROOT/etc/systemd/system/lab-nic.service" <<'EOF'
[Unit]
Description=Lab interface host0 and its address
DefaultDependencies=no
After=lab-seed.service local-fs.target
Before=network-pre.target ssh.service
Wants=network-pre.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/lab-nic
RemainAfterExit=yes

[Install]
WantedBy=sysinit.target
EOF
ln -sf /etc/systemd/system/lab-nic.service "$ROOT/etc/systemd/system/sysinit.target.wants/lab-nic.service"
# networkd would only wait for udev here.
ln -sf /dev/null "$ROOT/etc/systemd/system/systemd-networkd.service"
ln -sf /dev/null "$ROOT/etc/systemd/system/systemd-networkd-wait-online.service"

# MariaDB 10.11 reserves address space for the largest buffer pool it could grow to (8 TiB by default): more
# than a UML process can map ("Cannot map innodb_buffer_pool_size_max"). Hardware of the lab, not a setting
# of the roles: the distribution's own directory, a file of the lab's.
mkdir -p "$ROOT/etc/mysql/mariadb.conf.d"
printf '# Lab (UML tier): the guest kernel cannot map the default maximum buffer pool.\n[mariadbd]\ninnodb_buffer_pool_size_max = 512M\n' \
  > "$ROOT/etc/mysql/mariadb.conf.d/40-lab-uml.cnf"

# Nothing here reads a clock source over the network or a hardware clock.
for unit in systemd-timesyncd.service systemd-hwdb-update.service systemd-firstboot.service; do
  ln -sf /dev/null "$ROOT/etc/systemd/system/$unit"
done

test -d "$ROOT/lib/modules/$KERNEL/kernel" || { echo "no kernel modules for $KERNEL in the image" >&2; exit 1; }
