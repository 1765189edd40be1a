package imds

import (
	"context"
	"errors"
)

// TODO(stub): the equinix provider is being written.
func equinixProvider() Provider {
	return Provider{
		Name: "equinix",
		Base: "https://metadata.platformequinix.com",
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			return nil, errors.New("equinix: not implemented")
		},
		Parse: func([]byte) (*Metadata, error) { return nil, errors.New("equinix: not implemented") },
	}
}
