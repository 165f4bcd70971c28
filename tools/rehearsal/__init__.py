"""The online path rehearsed on this machine: stock kind and a node image by digest, with the
internet replaced by local stand-ins (an OCI registry on 127.0.0.1, a file server for kind and
kubectl), set the way a user behind a mirror sets them (versions.env, README "Behind a mirror")."""
