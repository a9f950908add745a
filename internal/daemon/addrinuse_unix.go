//go:build unix

package daemon

import "syscall"

var errAddrInUse error = syscall.EADDRINUSE
