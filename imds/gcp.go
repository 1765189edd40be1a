package imds

import (
	"context"
	"errors"
)

// TODO(stub): the gcp provider is being written.
func gcpProvider() Provider {
	return Provider{
		Name:  "gcp",
		Base:  "http://metadata.google.internal",
		Fetch: func(ctx context.Context, src Source) ([]byte, error) { return nil, errors.New("gcp: not implemented") },
		Parse: func([]byte) (*Metadata, error) { return nil, errors.New("gcp: not implemented") },
	}
}
