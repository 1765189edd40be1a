# Rendering into a root again after the state changed: the files the first
# run wrote that the new state no longer has go, in the same all-or-nothing
# write. Here the secondary ENI's policy routing is turned off, so its
# route and rule files are stale; --dry-run shows them removed.
mkdir "$TMPDIR/root"
imdsctl fetch --provider aws --metadata-file imds/aws/metadata.json --sysfs imds/aws/sys \
	--supplementary ens6 |
	netrender --os centos-7 --root "$TMPDIR/root"
(cd "$TMPDIR/root/etc/sysconfig/network-scripts" && ls)
echo "== without --supplementary, dry run"
imdsctl fetch --provider aws --metadata-file imds/aws/metadata.json --sysfs imds/aws/sys |
	netrender --os centos-7 --root "$TMPDIR/root" --dry-run
echo "== written"
imdsctl fetch --provider aws --metadata-file imds/aws/metadata.json --sysfs imds/aws/sys |
	netrender --os centos-7 --root "$TMPDIR/root"
(cd "$TMPDIR/root/etc/sysconfig/network-scripts" && ls)
