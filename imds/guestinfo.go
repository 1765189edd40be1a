package imds

import "context"

// GuestInfo reads VMware guestinfo keys over the hypervisor's RPC
// channel. ok is false when the key is not set, which is not an error.
type GuestInfo interface {
	Get(ctx context.Context, key string) (value string, ok bool, err error)
}
