# The primary NIC moved under a bridge in a namespace: the plan carried
# out, then the links, addresses and main table as ip shows them.
. netapply/netns.sh
netapplyctl apply --netns "$NS" netapply/bridge-over-primary-nic.yaml
ip -n "$NS" -br link show type bridge
ip -n "$NS" -br link show master br0
ip -n "$NS" -4 -br address show
ip -n "$NS" route show
netapplyctl diff --netns "$NS" --exit-code netapply/bridge-over-primary-nic.yaml
