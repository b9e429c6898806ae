package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

const maxCalls, callTimeout = 100, 5 * time.Second

// fanOut answers GET /fanout?n=K&ms=M: K concurrent GETs of this server's own /io?ms=M, one goroutine each, and
// their JSON summary. One client, shared by all requests, keeps up to 1,024 idle connections (net/http's default
// is 2 per host, which would open a new connection for nearly every call), as loom-service's fan-out does.
type fanOut struct {
	client *http.Client
}

func newFanOut() *fanOut {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // the calls go to this server, never through a proxy from the environment
	transport.MaxIdleConns = 1024
	transport.MaxIdleConnsPerHost = 1024
	return &fanOut{&http.Client{Transport: transport, Timeout: callTimeout}}
}

// outcome of one call: url, status, bytes and millis, or url, error and millis.
type outcome struct {
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	Bytes  *int   `json:"bytes,omitempty"`
	Error  string `json:"error,omitempty"`
	Millis int64  `json:"millis"`
}

func (f *fanOut) handle(w http.ResponseWriter, r *http.Request) {
	n := intParam(r, "n", 1, maxCalls)
	ms := intParam(r, "ms", 0, maxMs)
	local := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	url := fmt.Sprintf("http://%s/io?ms=%d", local, ms)
	start := time.Now()
	calls := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func(slot *outcome) {
			defer wg.Done()
			*slot = f.call(url)
		}(&calls[i])
	}
	wg.Wait() // callTimeout bounds every call
	ok := 0
	for _, c := range calls {
		if c.Status >= 200 && c.Status < 300 {
			ok++
		}
	}
	send(w, http.StatusOK, "application/json", marshal(struct {
		N           int       `json:"n"`
		Ms          int       `json:"ms"`
		TotalMillis int64     `json:"totalMillis"`
		Succeeded   int       `json:"succeeded"`
		Failed      int       `json:"failed"`
		Calls       []outcome `json:"calls"`
	}{n, ms, time.Since(start).Milliseconds(), ok, n - ok, calls}))
}

func (f *fanOut) call(url string) outcome {
	start := time.Now()
	response, err := f.client.Get(url)
	if err == nil {
		var body []byte
		body, err = io.ReadAll(response.Body) // read to the end, so the connection goes back to the pool
		response.Body.Close()
		if err == nil {
			size := len(body)
			return outcome{URL: url, Status: response.StatusCode, Bytes: &size, Millis: time.Since(start).Milliseconds()}
		}
	}
	return outcome{URL: url, Error: fmt.Sprintf("%T: %v", err, err), Millis: time.Since(start).Milliseconds()}
}
