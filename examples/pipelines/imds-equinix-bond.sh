# Equinix Metal, as an installer sees it: the saved metadata document (what
# packet-networking's -M reads) to NMState, with the resolvers the metadata
# does not carry.
imdsctl fetch --provider equinix --metadata-file imds/equinix/metadata.json \
	--sysfs imds/equinix/sys --resolvers 147.75.207.207,147.75.207.208
