package imds

import (
	"context"
	"errors"
)

// TODO(stub): the oracle provider is being written.
func oracleProvider() Provider {
	return Provider{
		Name: "oracle",
		Base: "http://169.254.169.254",
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			return nil, errors.New("oracle: not implemented")
		},
		Parse: func([]byte) (*Metadata, error) { return nil, errors.New("oracle: not implemented") },
	}
}
