// The first process of every pod sandbox of the test cluster (scripts/provision.sh, component k8s): it
// only has to exist, keeping the pod's namespaces alive, collect the children that end up with it as
// their parent, and end cleanly when the runtime tells it to.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGCHLD, syscall.SIGINT, syscall.SIGTERM)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		collectChildren()
	}
}

// collectChildren waits for every child that has exited, without blocking for the ones still running.
func collectChildren() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if err != nil || pid <= 0 {
			return
		}
	}
}
