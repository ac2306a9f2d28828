#!/usr/bin/env bash
# Install the system packages Shouhu's demo and tests use, when we can (root + apt-get).
# Without them the demo falls back to the embedded amqtt broker; the tests need them.
set -u
mode=${1:-demo}
want=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || want+=(mosquitto)
if [ "$mode" = test ]; then
  command -v chromium >/dev/null 2>&1 || want+=(chromium)
  fc-list 2>/dev/null | grep -qi -e "wenquanyi" -e "noto sans cjk" || want+=(fonts-wqy-zenhei)
fi
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${want[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null \
    || { echo "apt-get could not install ${want[*]}" >&2; [ "$mode" = demo ] || exit 1; }
else
  echo "missing system packages: ${want[*]} (install them, e.g. 'sudo apt-get install ${want[*]}')." >&2
  if [ "$mode" = demo ]; then
    echo "the demo will use the embedded amqtt broker instead of Mosquitto." >&2
  else
    echo "the tests start their own Mosquitto and need it; without it they use amqtt." >&2
  fi
fi
exit 0
