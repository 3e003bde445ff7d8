#!/bin/sh
# An office-like screen for the capture benchmark, on $DISPLAY (1920x1080):
# a blue desktop, a status terminal on the left redrawn every second (clock, call timer, queue counts, like
# a softphone or queue panel), and a document on the right that scrolls by one screen every 10 seconds
# (like a page the agent reads). Runs until killed.
set -eu
xsetroot -solid '#3a6ea5'

doc=$(mktemp)
trap 'rm -f "$doc"' EXIT
i=1
while [ "$i" -le 400 ]; do
  printf '%4d  Customer %05d: order %d shipped, invoice %d-%d, balance %d.%02d EUR, callback requested by agent.\n' \
    "$i" $((i * 37 % 99991)) $((i * 7919 % 100000)) 2024 "$i" $((i * 13 % 1000)) $((i % 100)) >> "$doc"
  i=$((i + 1))
done

xterm -geometry 90x60+0+0 -bg white -fg black -title status -e sh -c \
  'n=0; while :; do n=$((n+1)); clear; echo "$(date +%T)   agent 1042   status: talking   call time: ${n}s"; echo;
   echo "queue      waiting  longest"; echo "sales      $((n % 5))        $((n % 50))s"; echo "support    $((n % 3))        $((n % 20))s";
   sleep 1; done' &
xterm -geometry 110x62+620+0 -bg '#fdfdf5' -fg '#202020' -title document -e sh -c \
  "line=1; while :; do clear; sed -n \"\${line},\$((line + 58))p\" '$doc'; line=\$((line + 58)); [ \$line -gt 340 ] && line=1; sleep 10; done" &
wait
