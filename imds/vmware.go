package imds

import (
	"context"
	"errors"
)

// TODO(stub): the vmware provider is being written.
func vmwareProvider() Provider {
	return Provider{
		Name: "vmware",
		Base: "",
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			return nil, errors.New("vmware: not implemented")
		},
		Parse: func([]byte) (*Metadata, error) { return nil, errors.New("vmware: not implemented") },
	}
}
