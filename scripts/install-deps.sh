#!/usr/bin/env bash
# Debian packages the tests and the demo use on the controller; installs only what is missing (fast no-op otherwise).
# Needs root on Debian 12. The lab's own hosts get their packages from the lab rootfs build, not from here.
set -euo pipefail
pkgs=(
  openssh-server openssh-client sudo        # real sshd for the SSH transport specs
  debootstrap systemd-container zstd dpkg-dev iproute2 # the lab: nspawn hosts, rootfs cache, stand-in apt repo
  user-mode-linux                          # the lab's storage tier: hosts with their own kernel (real DRBD)
  pcs pacemaker-cli-utils pacemaker resource-agents drbd-utils # offline checks: pcs -f, crm_verify, crm_simulate, drbdadm
  mariadb-server mariadb-client            # real mysqld (unix socket only) for the mysql module specs
  e2fsprogs xfsprogs util-linux            # filesystem guards on loop devices
  ansible                                  # the reference the inventory, vault and flag specs compare with
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing controller packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # policy-rc.d: installing servers must not start them on the controller.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap "rm -f /usr/sbin/policy-rc.d" EXIT
  fi
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
