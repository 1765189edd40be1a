# Facts for people, as cnctl status prints them.
imdsctl show --provider vmware --metadata-file imds/vmware/metadata.json --sysfs imds/vmware/sys --format table
