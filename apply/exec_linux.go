package apply

import (
	"context"
	"errors"
)

// Apply carries out one operation on the namespace.
//
// It is not implemented yet and always returns an error.
func (k *NetlinkKernel) Apply(ctx context.Context, op Op) error {
	return errors.New("not implemented")
}
