package main

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/netplumb/netplumb/imds"
	"github.com/netplumb/netplumb/internal/cli"
)

// DetectCmd is `imdsctl detect`.
type DetectCmd struct {
	Sysfs    string        `default:"/sys" placeholder:"DIR" help:"sysfs root holding class/dmi/id."`
	Endpoint string        `placeholder:"URL" help:"Probe this base URL instead of each provider's own."`
	Timeout  time.Duration `default:"5s" help:"Deadline for the probes."`
	NoProbe  bool          `name:"no-probe" help:"Answer from DMI alone, without network."`
}

// Help is the long help of detect.
func (d *DetectCmd) Help() string {
	return `DMI first (sys_vendor, product_name, chassis_asset_tag, board_vendor, bios_vendor),
with no network; when DMI names no provider (Equinix Metal never shows there), every
provider's metadata service is probed at once with a short timeout. Exit 1 when none
answers.`
}

// Run runs detect.
func (d *DetectCmd) Run(ctx context.Context, env *cli.Env) error {
	name := imds.DetectDMI(imds.Sysfs{Root: d.Sysfs})
	if name == "" && !d.NoProbe {
		ctx, cancel := context.WithTimeout(ctx, d.Timeout)
		defer cancel()
		env.Log.Debug("DMI names no provider: probing the services")
		var err error
		if name, err = imds.Probe(ctx, d.Endpoint); err != nil {
			return err
		}
	}
	if name == "" {
		return imds.ErrUnknownProvider
	}
	_, err := fmt.Fprintln(env.Stdout, name)
	return err
}

// FetchCmd is `imdsctl fetch`.
type FetchCmd struct {
	SourceFlags   `embed:""`
	Supplementary []string `placeholder:"IFACE" help:"Give IFACE a routing table with its default route and from/to rules for its addresses (repeatable)."`
	Resolvers     string   `placeholder:"IP,..." help:"DNS servers to configure instead of the metadata's (Equinix Metal has none)."`
	cli.Output    `embed:""`
}

// Help is the long help of fetch.
func (f *FetchCmd) Help() string {
	return `Prints one NMState document: interfaces named by matching their MACs to local links
(identifier: mac-address when none matches), addresses, routes.config, dns-resolver.config,
hostname.config, and with --supplementary route-rules.config. Routing tables of
supplementary interfaces are numbered 9999 + ifindex, as cloud-network-setup does.`
}

// Run runs fetch.
func (f *FetchCmd) Run(ctx context.Context, env *cli.Env) error {
	resolvers, err := parseResolvers(f.Resolvers)
	if err != nil {
		return err
	}
	ctx, cancel := f.withTimeout(ctx)
	defer cancel()
	m, err := f.load(ctx, env)
	if err != nil {
		return err
	}
	if resolvers != nil {
		m.DNSServers = resolvers
	}
	local, err := f.localLinks()
	if err != nil {
		return err
	}
	doc, err := m.NMState(imds.Options{Local: local, Supplementary: f.Supplementary})
	if err != nil {
		return cli.BadInput(err)
	}
	return f.Output.Write(ctx, env, doc)
}

func parseResolvers(s string) ([]netip.Addr, error) {
	if s == "" {
		return nil, nil
	}
	var out []netip.Addr
	for _, f := range strings.Split(s, ",") {
		a, err := imds.ParseAddr(f)
		if err != nil {
			return nil, cli.Errorf("--resolvers: %v", err)
		}
		out = append(out, a)
	}
	return out, nil
}

// ShowCmd is `imdsctl show`.
type ShowCmd struct {
	Part        string `arg:"" optional:"" enum:"system,network," default:"" help:"system or network; both when left out."`
	SourceFlags `embed:""`
	Format      string `enum:"yaml,json,table" default:"yaml" help:"Output format: ${enum}."`
	JQ          string `name:"jq" placeholder:"EXPR" help:"Filter the output document through a jq expression (gojq)."`
	Raw         bool   `short:"r" name:"raw-output" help:"With --jq, print string results without quotes."`
}

// Run runs show.
func (s *ShowCmd) Run(ctx context.Context, env *cli.Env) error {
	if s.Format == "table" && s.JQ != "" {
		return cli.Errorf("--jq does not apply to --format table")
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	m, err := s.load(ctx, env)
	if err != nil {
		return err
	}
	local, err := s.localLinks()
	if err != nil {
		return err
	}
	facts := m.Facts(local)
	if s.Format == "table" {
		_, err := fmt.Fprint(env.Stdout, imds.FactsTable(facts, s.Part))
		return err
	}
	out := cli.Output{Format: s.Format, JQ: s.JQ, Raw: s.Raw}
	return out.Write(ctx, env, factsPart(facts, s.Part))
}

// factsPart keeps the system facts or the interfaces.
func factsPart(facts map[string]any, part string) map[string]any {
	switch part {
	case "system":
		out := map[string]any{}
		for k, v := range facts {
			if k != "interfaces" {
				out[k] = v
			}
		}
		return out
	case "network":
		return map[string]any{"provider": facts["provider"], "interfaces": facts["interfaces"]}
	}
	return facts
}

// RawCmd is `imdsctl raw`.
type RawCmd struct {
	Path        string `arg:"" optional:"" placeholder:"PATH" help:"Part of the tree: keys and list indexes separated by / (meta-data/placement/region)."`
	SourceFlags `embed:""`
	cli.Output  `embed:""`
}

// Run runs raw.
func (r *RawCmd) Run(ctx context.Context, env *cli.Env) error {
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	m, err := r.load(ctx, env)
	if err != nil {
		return err
	}
	v, err := walkRaw(m.Raw, r.Path)
	if err != nil {
		return cli.BadInput(err)
	}
	if v == nil && r.JQ == "" {
		_, err := fmt.Fprintln(env.Stdout, "null")
		return err
	}
	return r.Output.Write(ctx, env, v)
}

// walkRaw follows a /-separated path of keys and indexes.
func walkRaw(v any, path string) (any, error) {
	walked := ""
	for _, step := range strings.Split(strings.Trim(path, "/"), "/") {
		if step == "" {
			continue
		}
		walked += "/" + step
		switch t := v.(type) {
		case map[string]any:
			next, ok := t[step]
			if !ok {
				return nil, fmt.Errorf("%s: no such key in the metadata", walked)
			}
			v = next
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(t) {
				return nil, fmt.Errorf("%s: not an index of a list of %d", walked, len(t))
			}
			v = t[i]
		default:
			return nil, fmt.Errorf("%s: %s is a value, not a map or list", walked, strings.TrimSuffix(walked, "/"+step))
		}
	}
	return v, nil
}
