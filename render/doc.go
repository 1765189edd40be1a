// Package render writes a machine's network configuration for a Linux
// distribution from an NMState desired state: netplan, ifupdown (Debian
// and Alpine's ifupdown-ng), RHEL's ifcfg network-scripts,
// NetworkManager keyfiles and systemd-networkd, plus /etc/hostname,
// /etc/hosts and, where the distribution reads it, /etc/resolv.conf.
//
// [Parse] reads the desired state into a [State], refusing what a renderer
// cannot express (an [*UnsupportedError] naming the path) and values that
// could break out of a file's syntax (an [*Error]). A [Renderer] turns a
// State into [File]s; [Files] adds the common files. [ForOS] picks the
// renderer a distribution ships, [Write] writes a file set under a root
// directory atomically, never outside it, and [Diff] shows what would
// change. README.md in this directory records the choices made.
package render
