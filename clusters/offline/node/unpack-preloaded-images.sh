#!/bin/bash
# Unpack the images preloaded into containerd at the node's boot, the CNI's first. The node
# image's build imports them without unpacking (containerd cannot unpack inside the build
# container); left so, each image's first container unpacks it: the CNI's held node Ready back
# by ~6 s, and the tests' first Pods waited for theirs. Control-plane images come last: their
# static Pods unpack them meanwhile. An image that cannot be unpacked here is left to its
# first container.
set -u
cni=$(sed -n 's/^ *image: *//p' /kind/manifests/default-cni.yaml)  # the CNI image the node image names
refs=$(ctr -n k8s.io images ls -q | grep -v -e '@' -e '^sha256:' -e "^$cni\$")
for ref in $cni $(grep -v ^registry.k8s.io/ <<<"$refs") $(grep ^registry.k8s.io/ <<<"$refs"); do
  target=$(mktemp -d)
  if ctr -n k8s.io images mount "$ref" "$target" >/dev/null && ctr -n k8s.io images unmount --rm "$target" >/dev/null; then
    echo "unpacked $ref"
  else
    echo "not unpacked: $ref (its first container will)"
  fi
  rmdir "$target"
done
