# kind's base image, rebuilt from Debian packages and Go-built containerd, runc and crictl
# (kind's own, kindest/base, comes from a registry). Mirrors kind v0.33's images/base
# Dockerfile: its files/ (entrypoint, systemd units, containerd config) are copied from the
# kind module. Built by node-image.sh with the classic builder (no BuildKit frontend to pull).
ARG ROOTFS
FROM ${ROOTFS}
COPY files/ /
COPY bin/ /usr/local/bin/
COPY runc /usr/local/sbin/runc
ARG SANDBOX_IMAGE
RUN chmod 0755 /usr/local/bin/* /usr/local/sbin/runc /kind/bin/* \
 && mkdir -p /opt/cni/bin /etc/kubernetes/manifests \
 && cp /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/loopback /usr/lib/cni/portmap /opt/cni/bin/ \
 && find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete \
 && rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/* \
 && echo "ReadKMsg=no" >> /etc/systemd/journald.conf \
 && ln -sf /usr/lib/systemd/systemd /sbin/init \
 && systemctl enable kubelet.service containerd.service undo-mount-hacks.service \
 && systemctl mask systemd-binfmt.service \
 && ctr oci spec \
      | jq '.hooks.createContainer[.hooks.createContainer | length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
      | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json \
 && sed -i "s|^\( *sandbox_image = \).*|\1\"$SANDBOX_IMAGE\"|" /etc/containerd/config.toml \
 && grep -q "$SANDBOX_IMAGE" /etc/containerd/config.toml \
 && containerd --version && runc --version && crictl --version
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
