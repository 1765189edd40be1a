# AWS with a secondary ENI, rendered for CentOS 7 (network-scripts): the
# static secondary addresses beside DHCP go into alias files, which
# initscripts brings up after the lease and NetworkManager reads into the
# interface's profile; the ENI's own table and rules go into route- and
# rule- files.
mkdir "$TMPDIR/root"
imdsctl fetch --provider aws --metadata-file imds/aws/metadata.json --sysfs imds/aws/sys \
	--supplementary ens6 |
	netrender --os centos-7 --root "$TMPDIR/root"
cd "$TMPDIR/root/etc/sysconfig/network-scripts"
for f in *; do
	echo "== $f"
	grep -v '^#' "$f"
done
