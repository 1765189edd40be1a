# One saved document per provider: the interfaces each gives, by name.
for p in aws azure digitalocean equinix gcp hetzner openstack oracle vmware; do
	printf '%s: ' "$p"
	imdsctl fetch --provider "$p" --metadata-file "imds/$p/metadata.json" --sysfs "imds/$p/sys" \
		--jq '[.interfaces[].name] | join(" ")' -r
done
