# A secondary ENI that must answer from its own addresses: a routing table
# for it (9999 + ifindex), its default route and from/to rules, then only
# the rules, through the policy engine's eval.
imdsctl fetch --provider aws --metadata-file imds/aws/metadata.json --sysfs imds/aws/sys \
	--supplementary ens6 |
	nmpolicyctl eval 'route-rules.config.route-table == 10002'
