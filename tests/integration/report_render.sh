#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Chromium's checks (chromium.sh) of the report pages report.sh kept in
# PAGES_DIR when it ran in scripts/testvm's VM, where one Chromium start
# takes 40 to 120 s on the emulated CPU: scripts/run-tests runs this on the
# host right after the VM's integration suites.  Each page came with the
# number of plots it must show (NAME.plots).  Without pages (report.sh
# rendered its own, natively on KVM) the plan is empty, saying why.
#
# usage: report_render.sh PAGES_DIR
set -u
pages=$1
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/chromium.sh"

echo "TAP version 13"
shopt -s nullglob
htmls=("$pages"/*.html)
if [ "${#htmls[@]}" -eq 0 ]; then
	echo "1..0 # SKIP no pages in $pages: report.sh renders its own where it runs on KVM natively"
	exit 0
fi
for html in "${htmls[@]}"; do
	name=$(basename "$html" .html)
	page_ok "$name" "$html" "$(cat "$pages/$name.plots")"
done
tap_done
