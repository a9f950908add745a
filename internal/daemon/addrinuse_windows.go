//go:build windows

package daemon

import "syscall"

// WSAEADDRINUSE.
var errAddrInUse error = syscall.Errno(10048)
