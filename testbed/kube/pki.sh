#!/usr/bin/env bash
# Generates the testbed cluster's certificates, keys and kubeconfigs under a directory,
# once: an existing ca.crt means the PKI is already there and nothing is touched.
# Everything is made at run time with openssl and never leaves .testbed/ (git-ignored).
#
# Usage: testbed/kube/pki.sh <pki-dir> <apiserver-url>
set -euo pipefail

pki="${1:?usage: pki.sh <pki-dir> <apiserver-url>}"
server="${2:?usage: pki.sh <pki-dir> <apiserver-url>}"

if [[ -f "$pki/ca.crt" && -f "$pki/admin.kubeconfig" ]]; then
  exit 0
fi
command -v openssl >/dev/null || { echo "pki.sh: openssl is required (apt-get install openssl)" >&2; exit 1; }

rm -rf "$pki"
mkdir -p "$pki"
chmod 700 "$pki"
cd "$pki"

days=3650
new_key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; chmod 600 "$1"; }

# new_ca <name> <common name>
new_ca() {
  new_key "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days "$days" -subj "/CN=$2" -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}

# new_cert <name> <ca> <subject> <extendedKeyUsage> [subjectAltName]
new_cert() {
  local name="$1" ca="$2" subject="$3" eku="$4" san="${5:-}"
  new_key "$name.key"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$name.ext"
  openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -sha256 -days "$days" \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

# new_kubeconfig <file> <client cert name> <user>
new_kubeconfig() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: shoal-testbed
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 ca.crt)
users:
- name: $3
  user:
    client-certificate-data: $(base64 -w0 "$2.crt")
    client-key-data: $(base64 -w0 "$2.key")
contexts:
- name: shoal-testbed
  context:
    cluster: shoal-testbed
    user: $3
current-context: shoal-testbed
EOF
  chmod 600 "$1"
}

new_ca ca shoal-testbed-ca
new_ca front-proxy-ca shoal-testbed-front-proxy-ca

# The API server's serving certificate names every way a client may reach it.
new_cert apiserver ca "/CN=kube-apiserver" serverAuth \
  "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1"
# kwok's node endpoint (metrics) and metrics-server serve on loopback with this one.
new_cert loopback-serving ca "/CN=shoal-testbed-loopback" serverAuth "DNS:localhost,IP:127.0.0.1"

# Clients. The control-plane components get the identities their bootstrap RBAC roles
# name, so RBAC is exercised as on a real cluster; the admin (and kwok, metrics-server,
# which stand in for kubelets and an add-on) are system:masters.
new_cert admin ca "/O=system:masters/CN=shoal-testbed-admin" clientAuth
new_cert controller-manager ca "/CN=system:kube-controller-manager" clientAuth
new_cert scheduler ca "/CN=system:kube-scheduler" clientAuth
new_cert front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth

# Service-account tokens are signed with this key pair.
new_key sa.key
openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null

new_kubeconfig controller-manager.kubeconfig controller-manager system:kube-controller-manager
new_kubeconfig scheduler.kubeconfig scheduler system:kube-scheduler
# Written last: its presence marks a complete PKI (see the check at the top).
new_kubeconfig admin.kubeconfig admin shoal-testbed-admin
rm -f ./*.srl
