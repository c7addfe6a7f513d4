// cri-stop ENDPOINT: stop and remove every pod sandbox of the CRI runtime at ENDPOINT
// (unix:///path/to/socket), which stops their containers and releases their network. It is how
// `scripts/provision.sh stop` ends the pods of the test cluster before it stops the cluster's containerd,
// so that no pod process outlives the runtime. Prints one line per sandbox; exits 1 if one could not go.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	cri "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cri-stop unix:///path/to/cri.sock")
		os.Exit(2)
	}
	conn, err := grpc.NewClient(os.Args[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	runtime := cri.NewRuntimeServiceClient(conn)
	sandboxes, err := runtime.ListPodSandbox(ctx, &cri.ListPodSandboxRequest{})
	if err != nil {
		fail(err)
	}
	failed := false
	for _, sb := range sandboxes.GetItems() {
		name := sb.GetMetadata().GetNamespace() + "/" + sb.GetMetadata().GetName()
		if _, err := runtime.StopPodSandbox(ctx, &cri.StopPodSandboxRequest{PodSandboxId: sb.GetId()}); err != nil {
			fmt.Fprintf(os.Stderr, "cri-stop: stopping %s (%s): %v\n", name, sb.GetId(), err)
			failed = true
			continue
		}
		if _, err := runtime.RemovePodSandbox(ctx, &cri.RemovePodSandboxRequest{PodSandboxId: sb.GetId()}); err != nil {
			fmt.Fprintf(os.Stderr, "cri-stop: removing %s (%s): %v\n", name, sb.GetId(), err)
			failed = true
			continue
		}
		fmt.Printf("removed pod sandbox %s (%s)\n", name, sb.GetId())
	}
	if failed {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cri-stop:", err)
	os.Exit(1)
}
