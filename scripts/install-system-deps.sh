#!/usr/bin/env bash
# Installs every system tool Cairn's tests use, from Debian packages (bookworm).
# Tests that need one of these skip locally with a message naming this script,
# and fail instead of skipping when CI=true.
#   softhsm2, opensc (pkcs11-tool)   PKCS#11 key custody
#   openssl                          checks our certificates, CRLs and CMS
#   swupdate                         a real hawkBit DDI client (suricatta) and .swu verifier
#   rauc                             RAUC bundles and its slot conventions
#   libubootenv-tool (fw_printenv)   U-Boot environment on a file
#   grub-common (grub-editenv)       GRUB environment
#   swtpm, swtpm-tools, tpm2-tools   TPM 2.0 NV counters
#   chromium, chromium-driver        console tests in a real browser
#   postgresql                       the scale-out database
set -euo pipefail
packages=(
  softhsm2 opensc openssl
  swupdate rauc libubootenv-tool grub-common
  swtpm swtpm-tools tpm2-tools
  chromium chromium-driver
  postgresql postgresql-client
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-system-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-system-deps: done"
