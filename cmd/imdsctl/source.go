package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netplumb/netplumb/imds"
	"github.com/netplumb/netplumb/internal/cli"
)

// SourceFlags choose where the metadata comes from; fetch, show, raw and
// serve share them.
type SourceFlags struct {
	Provider     string        `default:"auto" placeholder:"NAME" help:"Provider: auto, ${providers}."`
	Endpoint     string        `placeholder:"URL" help:"Base URL replacing the provider's scheme and host (169.254.169.254, metadata.google.internal, Equinix's host); paths stay the provider's own."`
	MetadataFile string        `name:"metadata-file" placeholder:"FILE" help:"Read a saved metadata document instead of the service (needs --provider)."`
	ConfigDrive  string        `name:"config-drive" type:"existingdir" placeholder:"DIR" help:"OpenStack: read a mounted config drive instead of the service."`
	Sysfs        string        `default:"/sys" placeholder:"DIR" help:"sysfs root, for DMI and for naming NICs by MAC."`
	Timeout      time.Duration `default:"30s" help:"Deadline for the whole command, retries included."`
}

// Validate checks the flags that depend on each other.
func (s *SourceFlags) Validate() error {
	if s.MetadataFile != "" && (s.Provider == "" || s.Provider == "auto") {
		return errors.New("--metadata-file needs --provider: a saved document does not say whose it is")
	}
	if s.Provider != "auto" {
		if _, err := imds.Lookup(s.Provider); err != nil {
			return err
		}
	}
	if s.Timeout <= 0 {
		return errors.New("--timeout must be positive")
	}
	return nil
}

// load reads and parses the instance's metadata.
func (s *SourceFlags) load(ctx context.Context, env *cli.Env) (*imds.Metadata, error) {
	p, err := s.provider(ctx, env)
	if err != nil {
		return nil, err
	}
	var doc []byte
	origin := s.MetadataFile
	if s.MetadataFile != "" {
		doc, err = cli.ReadInput(s.MetadataFile, env.Stdin)
		if err != nil {
			return nil, err
		}
	} else {
		src, base, err := s.source(p, env)
		if err != nil {
			return nil, err
		}
		origin = base
		env.Log.Debug("fetching", "provider", p.Name, "from", base)
		doc, err = p.Fetch(ctx, src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		if src.Client != nil {
			env.Log.Debug("fetched", "provider", p.Name, "requests", src.Client.Requests())
		}
	}
	m, err := p.Parse(doc)
	if err != nil {
		err = fmt.Errorf("%s metadata from %s: %w", p.Name, origin, err)
		if s.MetadataFile != "" {
			return nil, cli.BadInput(err)
		}
		return nil, err
	}
	return m, nil
}

// provider returns the chosen or detected provider.
func (s *SourceFlags) provider(ctx context.Context, env *cli.Env) (imds.Provider, error) {
	if s.Provider != "auto" {
		return imds.Lookup(s.Provider)
	}
	name := imds.DetectDMI(imds.Sysfs{Root: s.Sysfs})
	if name == "" {
		env.Log.Debug("DMI names no provider: probing the services")
		var err error
		if name, err = imds.Probe(ctx, s.Endpoint); err != nil {
			return imds.Provider{}, err
		}
	}
	env.Log.Debug("provider", "name", name)
	return imds.Lookup(name)
}

// source builds what the provider's Fetch reads.
func (s *SourceFlags) source(p imds.Provider, env *cli.Env) (imds.Source, string, error) {
	src := imds.Source{ConfigDrive: s.ConfigDrive, GuestInfo: guestInfo()}
	if s.ConfigDrive != "" {
		return src, s.ConfigDrive, nil
	}
	base := p.Base
	if s.Endpoint != "" {
		base = s.Endpoint
	}
	if base == "" {
		return src, "the VMware RPC channel", nil
	}
	c, err := imds.NewClient(base)
	if err != nil {
		return src, "", cli.BadInput(err)
	}
	if p.Setup != nil {
		p.Setup(c)
	}
	c.Log = env.Log
	c.Now = env.Now
	src.Client = c
	return src, base, nil
}

// localLinks reads the machine's links for naming NICs.
func (s *SourceFlags) localLinks() ([]imds.LocalLink, error) {
	links, err := imds.Sysfs{Root: s.Sysfs}.Links()
	if err != nil {
		return nil, fmt.Errorf("reading links under %s: %w", s.Sysfs, err)
	}
	return links, nil
}

// withTimeout bounds ctx by --timeout.
func (s *SourceFlags) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.Timeout)
}
