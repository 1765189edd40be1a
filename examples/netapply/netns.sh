# Sourced by the netns-* pipelines: a network namespace of their own, laid
# out by setup.ip, removed on exit. netapplyctl's resolv.conf and lock go
# to a temporary directory instead of /etc/netns and /run.
NS=netplumb-example-$$
ip netns add "$NS"
trap 'ip netns del "$NS"' EXIT
ip -n "$NS" -batch netapply/setup.ip
export NETAPPLYCTL_ETC_DIR=$TMPDIR/etc NETAPPLYCTL_RUN_DIR=$TMPDIR/run
