# SPDX-License-Identifier: MIT
# Chromium's checks of hvbench report's pages, for report.sh and
# report_render.sh (sourced after tap.sh, which gives $work).
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)

# dom HTML OUT: Chromium's DOM of the page, its console on OUT.log.
dom() {
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$work/chromium" \
		--enable-logging=stderr --v=0 --dump-dom "file://$1" >"$2" 2>"$2.log"
}

# page_ok NAME HTML PLOTS: the page in Chromium has PLOTS inline SVGs, no
# missing plot, no script, no console error, and a screenshot.  PLOTS "-"
# is a page drawn without gnuplot: it only has to load without error.
page_ok() {
	local name=$1 html=$2 plots=$3 d=$work/$1.dom
	if [ -z "$chromium" ]; then
		skip "$name: Chromium is not installed (scripts/setup installs it)"
		return
	fi
	dom "$html" "$d"
	if [ "$plots" = - ]; then
		check "$name: Chromium renders it without error" \
			bash -c '[ -s "$1" ] && ! grep -E "Uncaught|CONSOLE" "$1.log"' _ "$d"
		return
	fi
	check "$name: Chromium loads the page" test -s "$d"
	check "$name: the DOM has all $plots plots as <svg> (has $(grep -o '<svg' "$d" | wc -l))" \
		test "$(grep -o '<svg' "$d" | wc -l)" -eq "$plots"
	check "$name: no plot is missing" bash -c '! grep -q "Plot not drawn" "$1"' _ "$d"
	check "$name: no script element, no event attribute" \
		bash -c '! grep -qiE "<script|<[a-z]+ [^>]*\bon[a-z]+=" "$1"' _ "$d"
	check "$name: no console error" bash -c '! grep -E "Uncaught|CONSOLE" "$1"' _ "$d.log"
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$work/chromium" --screenshot="$work/$name.png" \
		--window-size=1400,5000 "file://$html" >/dev/null 2>&1
	check "$name: a screenshot is taken" \
		bash -c '[ "$(head -c 8 "$1" | od -An -tx1 | tr -d " ")" = 89504e470d0a1a0a ]' \
		_ "$work/$name.png"
}
