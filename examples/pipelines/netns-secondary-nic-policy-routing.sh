# Policy routing for a secondary NIC, applied in a namespace: the plan
# carried out, then the rules and table 100 as ip shows them, then a second
# apply that has nothing to do.
. netapply/netns.sh
netapplyctl apply --netns "$NS" netapply/secondary-nic-policy-routing.yaml
ip -n "$NS" rule show pref 5000
ip -n "$NS" rule show pref 5001
ip -n "$NS" route show table 100
netapplyctl apply --netns "$NS" netapply/secondary-nic-policy-routing.yaml
