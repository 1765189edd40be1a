package imds

import (
	"context"
	"errors"
)

// TODO(stub): the digitalocean provider is being written.
func digitaloceanProvider() Provider {
	return Provider{
		Name: "digitalocean",
		Base: "http://169.254.169.254",
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			return nil, errors.New("digitalocean: not implemented")
		},
		Parse: func([]byte) (*Metadata, error) { return nil, errors.New("digitalocean: not implemented") },
	}
}
