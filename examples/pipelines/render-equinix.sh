# Equinix Metal, from the saved metadata document to each distribution's
# files under a root directory, as an installer does before first boot.
for os in debian-12 centos-7 ubuntu-22.04; do
	root="$TMPDIR/$os"
	mkdir -p "$root"
	imdsctl fetch --provider equinix --metadata-file imds/equinix/metadata.json --sysfs imds/equinix/sys \
		--resolvers 147.75.207.207,147.75.207.208 |
		netrender --os "$os" --root "$root"
	echo "== $os"
	(cd "$root" && find . -type f -printf '%m %p\n' | sort)
done
echo "== debian-12: /etc/network/interfaces"
cat "$TMPDIR/debian-12/etc/network/interfaces"
echo "== centos-7: ifcfg-bond0"
cat "$TMPDIR/centos-7/etc/sysconfig/network-scripts/ifcfg-bond0"
echo "== ubuntu-22.04: netplan"
cat "$TMPDIR/ubuntu-22.04/etc/netplan/50-netplumb.yaml"
# Run again: nothing to change.
imdsctl fetch --provider equinix --metadata-file imds/equinix/metadata.json --sysfs imds/equinix/sys \
	--resolvers 147.75.207.207,147.75.207.208 |
	netrender --os ubuntu-22.04 --root "$TMPDIR/ubuntu-22.04" --dry-run
echo "== no changes"
