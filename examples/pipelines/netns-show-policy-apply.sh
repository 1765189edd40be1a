# The loop the toolkit is for: the running state, through a policy, back
# into the kernel. The policy puts the NIC of the default route under a
# bridge br1 with the NIC's MAC, addresses and routes. A second pass, with
# the captures of the first from the cache (-i: the default route now
# leaves through br1, so capturing anew would find br1), has nothing to do.
. netapply/netns.sh
netapplyctl show --netns "$NS" |
	nmpolicyctl gen policies/bridge-on-default-gw-static/policy.yaml -c "$TMPDIR/cache.yaml" |
	netapplyctl apply --netns "$NS"
ip -n "$NS" -br link show master br1
ip -n "$NS" -4 -br address show
ip -n "$NS" route show
netapplyctl show --netns "$NS" |
	nmpolicyctl gen policies/bridge-on-default-gw-static/policy.yaml -i "$TMPDIR/cache.yaml" -c "$TMPDIR/cache2.yaml" |
	netapplyctl diff --netns "$NS" --exit-code
