# SPDX-License-Identifier: MIT
# Sourced by scripts/: packages_ensure PKG... installs the Debian packages
# that are missing (only those), or fails saying which are missing when it
# cannot install them (not root).  apt-get update runs once, before the
# first install, because a fresh machine's package lists may be empty.
packages_ensure() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "${0##*/}: missing packages: ${missing[*]}; run as root or install them" >&2
		return 1
	fi
	echo "${0##*/}: installing ${missing[*]}" >&2
	apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			"${missing[@]}" >&2
}
