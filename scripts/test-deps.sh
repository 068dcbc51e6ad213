#!/bin/sh
# Installs the real tools the test suite drives (poppler's pdfsig, qpdf, openssl, NSS certutil, Debian's
# Chromium, SoftHSM2 and OpenSC's pkcs11-tool for the HSM sealing key, PostgreSQL's server for the
# suites that also run on it) when they are missing.
# Runs before `npm test`; needs root for apt-get.
missing=""
command -v pdfsig >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v qpdf >/dev/null 2>&1 || missing="$missing qpdf"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v certutil >/dev/null 2>&1 || missing="$missing libnss3-tools"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v softhsm2-util >/dev/null 2>&1 || missing="$missing softhsm2"
command -v pkcs11-tool >/dev/null 2>&1 || missing="$missing opensc"
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$missing postgresql"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test tools:$missing" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "warning: missing test tools:$missing (install them with apt-get as root); tests that need them will fail" >&2
fi
exit 0
