package imds

import (
	"context"
	"errors"
)

// TODO(stub): the hetzner provider is being written.
func hetznerProvider() Provider {
	return Provider{
		Name: "hetzner",
		Base: "http://169.254.169.254",
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			return nil, errors.New("hetzner: not implemented")
		},
		Parse: func([]byte) (*Metadata, error) { return nil, errors.New("hetzner: not implemented") },
	}
}
