package imds

import (
	"context"
	"errors"
)

// TODO(stub): the openstack provider is being written.
func openstackProvider() Provider {
	return Provider{
		Name: "openstack",
		Base: "http://169.254.169.254",
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			return nil, errors.New("openstack: not implemented")
		},
		Parse: func([]byte) (*Metadata, error) { return nil, errors.New("openstack: not implemented") },
	}
}
