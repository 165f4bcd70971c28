// Command registry serves an in-memory OCI registry (go-containerregistry's pkg/registry)
// on 127.0.0.1 and on any further addresses given, for the online rehearsal: the host's
// Docker pushes and pulls on 127.0.0.1, a kind node pulls on the Docker bridge's gateway.
//
//	registry -port 0 -also 172.17.0.1   prints "listening on 127.0.0.1:PORT" once ready
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	port := flag.Int("port", 0, "port on every address (0: any free port, the same on each)")
	also := flag.String("also", "", "comma-separated further IP addresses to listen on")
	flag.Parse()

	first, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	chosen := first.Addr().(*net.TCPAddr).Port
	listeners := []net.Listener{first}
	for _, ip := range strings.Split(*also, ",") {
		if ip = strings.TrimSpace(ip); ip == "" {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(chosen)))
		if err != nil {
			log.Fatal(err)
		}
		listeners = append(listeners, l)
	}
	server := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: registry.New()}
	for _, l := range listeners {
		fmt.Fprintf(os.Stdout, "listening on %s\n", l.Addr())
	}
	errs := make(chan error, len(listeners))
	for _, l := range listeners {
		go func(l net.Listener) { errs <- server.Serve(l) }(l)
	}
	log.Fatal(<-errs)
}
