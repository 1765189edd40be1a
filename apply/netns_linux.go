package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// OpenNetns opens the network namespace that `ip netns add NAME` made (a
// file in /run/netns), or, when name is "", the namespace of the calling
// thread. The caller closes the handle. It returns an error naming the
// namespace when the name is not a plain file name or the namespace
// cannot be opened.
func OpenNetns(name string) (netns.NsHandle, error) {
	if name == "" {
		return netns.Get()
	}
	if name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return netns.None(), fmt.Errorf("netns %q: not a namespace name", name)
	}
	ns, err := netns.GetFromName(name)
	if err != nil {
		return netns.None(), fmt.Errorf("netns %s: %w", name, err)
	}
	return ns, nil
}

// socketAt opens a NETLINK_ROUTE socket in the namespace ns, or in the
// calling thread's namespace when ns is netns.None(). The thread that
// creates it is moved into ns and back while locked.
func socketAt(ns netns.NsHandle) (*nl.NetlinkSocket, error) {
	return nl.GetNetlinkSocketAt(ns, netns.None(), unix.NETLINK_ROUTE)
}

// dumpTries is how many times a dump that the kernel interrupted (the
// table changed while it was read) is tried before Read gives up.
const dumpTries = 5

// retryDump runs f until it returns something else than
// netlink.ErrDumpInterrupted, at most dumpTries times, and returns its
// last error; it stops early with ctx's error once ctx is done. f must
// start its result afresh on each call.
func retryDump(ctx context.Context, f func() error) error {
	var err error
	for range dumpTries {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err = f(); !errors.Is(err, netlink.ErrDumpInterrupted) {
			return err
		}
	}
	return fmt.Errorf("%w %d times", err, dumpTries)
}

// dump sends a dump request of type reqType with the header hdr on s and
// calls f with each answer of type resType, retrying as retryDump does;
// start is called before each try.
func dump(ctx context.Context, s *nl.NetlinkSocket, reqType int, hdr nl.NetlinkRequestData, resType uint16, start func(), f func(m []byte) error) error {
	sockets := map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: {Socket: s}}
	return retryDump(ctx, func() error {
		start()
		req := nl.NewNetlinkRequest(reqType, unix.NLM_F_DUMP)
		req.Sockets = sockets
		req.AddData(hdr)
		var ferr error
		err := req.ExecuteIter(unix.NETLINK_ROUTE, resType, func(m []byte) bool {
			ferr = f(m)
			return ferr == nil
		})
		if ferr != nil {
			return ferr
		}
		return err
	})
}
