# Metadata, then a policy: every ethernet interface the cloud gives the
# instance, with jumbo frames.
imdsctl fetch --provider gcp --metadata-file imds/gcp/metadata.json --sysfs imds/gcp/sys |
	nmpolicyctl gen imds/jumbo-policy.yaml -c "$TMPDIR/cache.yaml" --jq '.interfaces[] | "\(.name) \(.mtu)"' -r
