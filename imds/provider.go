package imds

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Source is what a provider's Fetch reads from.
type Source struct {
	// Client talks to the provider's HTTP service.
	Client *Client
	// GuestInfo reads VMware guestinfo keys.
	GuestInfo GuestInfo
	// ConfigDrive is a mounted OpenStack config drive, read instead of
	// the service when set.
	ConfigDrive string
}

// Provider is one metadata provider: how to recognise it, reach it, read
// its metadata and map it. Providers are values: [Providers] lists them.
type Provider struct {
	// Name is what --provider takes and what detect prints.
	Name string
	// Base is the service's scheme and host; --endpoint replaces it.
	// Empty for VMware, which has no HTTP service.
	Base string
	// Setup sets the client's headers and retry rules.
	Setup func(c *Client)
	// DMI reports whether the DMI strings say the machine is on this
	// provider; nil when DMI cannot tell (Equinix Metal).
	DMI func(dmi map[string]string) bool
	// Probe asks the service a cheap question and reports whether the
	// provider's service answered as it does.
	Probe func(ctx context.Context, c *Client) bool
	// Fetch reads the metadata and returns it as a saved document, the
	// same document Parse and --metadata-file read.
	Fetch func(ctx context.Context, src Source) ([]byte, error)
	// Parse reads a saved document. It returns an error naming the field
	// for a document that does not hold what the provider's service sends,
	// or values that are not valid (see [Metadata.Validate]).
	Parse func(doc []byte) (*Metadata, error)
}

// Providers returns every provider, in the order detection tries them.
func Providers() []Provider {
	return []Provider{
		openstackProvider(),
		azureProvider(),
		oracleProvider(),
		awsProvider(),
		gcpProvider(),
		digitaloceanProvider(),
		hetznerProvider(),
		vmwareProvider(),
		equinixProvider(),
	}
}

// Names returns the provider names, sorted.
func Names() []string {
	var names []string
	for _, p := range Providers() {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the provider with a name.
func Lookup(name string) (Provider, error) {
	for _, p := range Providers() {
		if p.Name == name {
			return p, nil
		}
	}
	return Provider{}, fmt.Errorf("unknown provider %q (known: %s)", name, strings.Join(Names(), ", "))
}

// parseDoc runs a provider's parser and validates what it built, so that
// nothing invalid is ever emitted.
func parseDoc(provider string, parse func([]byte) (*Metadata, error)) func([]byte) (*Metadata, error) {
	return func(doc []byte) (*Metadata, error) {
		m, err := parse(doc)
		if err != nil {
			return nil, err
		}
		m.Provider = provider
		if err := m.Validate(); err != nil {
			return nil, err
		}
		return m, nil
	}
}
