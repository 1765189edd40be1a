package imds

import (
	"context"
	"errors"
)

// TODO(stub): the azure provider is being written.
func azureProvider() Provider {
	return Provider{
		Name: "azure",
		Base: "http://169.254.169.254",
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			return nil, errors.New("azure: not implemented")
		},
		Parse: func([]byte) (*Metadata, error) { return nil, errors.New("azure: not implemented") },
	}
}
