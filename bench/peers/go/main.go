// The Go peer of bench/: loom-service's routes on net/http, one goroutine per connection, blocking code.
//
//	go build -o target/go-peer . && target/go-peer --port 38008
//
// Routes and answers match loom-service (see its README): GET /, /greet/{name}, /{name}, /io?ms=N,
// /fanout?n=K&ms=M, /cpu?work=N, POST /posts, GET /posts/{id}. Bad query parameters are 400 problem+json.
// /io is time.Sleep; /fanout runs one goroutine per call with net/http's client and waits on a sync.WaitGroup;
// /cpu runs on a fixed pool of GOMAXPROCS worker goroutines (GOMAXPROCS is the number of cores the process may
// run on). Only the standard library (of Go 1.19, Debian 12's golang-go).
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

const maxMs, maxWork = 60000, 10000000

var digits = regexp.MustCompile(`^[0-9]{1,9}$`)

// routes is the one routing table; handlers are plain blocking code on the connection's goroutine.
type routes struct {
	cpu    chan<- cpuJob
	fanOut *fanOut
	posts  *posts
}

func (rt *routes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	defer func() {
		if e := recover(); e != nil {
			p, ok := e.(problem)
			if !ok {
				panic(e) // net/http logs it and closes the connection
			}
			p.send(w, path)
		}
	}()
	switch {
	case r.Method == http.MethodPost && path == "/posts":
		rt.posts.create(w, r)
	case r.Method != http.MethodGet:
		panic(problem{404, "no route for " + r.Method + " " + path})
	case path == "/":
		text(w, "Hello, World!")
	case path == "/io":
		ms := intParam(r, "ms", 0, maxMs)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		text(w, fmt.Sprintf("slept %d ms", ms))
	case path == "/cpu":
		done := make(chan string, 1)
		rt.cpu <- cpuJob{intParam(r, "work", 0, maxWork), done} // waits for a free worker
		text(w, <-done)
	case path == "/fanout":
		rt.fanOut.handle(w, r)
	case path == "/greet" || strings.HasPrefix(path, "/greet/"):
		text(w, "Hello, "+name(strings.TrimPrefix(strings.TrimPrefix(path, "/greet"), "/"))+"!")
	case strings.HasPrefix(path, "/posts/"):
		rt.posts.find(w, strings.TrimPrefix(path, "/posts/"))
	case !strings.Contains(path[1:], "/"):
		text(w, "Hello, "+name(path[1:]))
	default:
		panic(problem{404, "no route for " + path})
	}
}

type cpuJob struct {
	work int
	done chan<- string
}

// cpuWorkers starts n goroutines that compute /cpu's chains one at a time each: at most n chains run at once,
// and a request waits (its goroutine parked on the channel send) until a worker is free.
func cpuWorkers(n int) chan<- cpuJob {
	jobs := make(chan cpuJob)
	for i := 0; i < n; i++ {
		go func() {
			for job := range jobs {
				job.done <- chain(job.work)
			}
		}()
	}
	return jobs
}

// chain is N rounds of SHA-256 from 32 zero bytes, the hex of the last: the chain loom-service and every peer compute.
func chain(work int) string {
	var h [32]byte
	for i := 0; i < work; i++ {
		h = sha256.Sum256(h[:])
	}
	return hex.EncodeToString(h[:])
}

// intParam is query parameter name, given once, ASCII digits, in [low, high]; else it panics with a 400 problem.
func intParam(r *http.Request, name string, low, high int) int {
	values := r.URL.Query()[name]
	expected := fmt.Sprintf("query parameter '%s' must be one integer from %d to %d", name, low, high)
	if len(values) == 0 {
		panic(problem{400, expected + "; it is missing"})
	}
	if len(values) > 1 {
		panic(problem{400, fmt.Sprintf("%s; it was given %d times", expected, len(values))})
	}
	raw := values[0]
	if !digits.MatchString(raw) {
		if len(raw) > 32 {
			raw = raw[:32]
		}
		panic(problem{400, expected + "; got '" + raw + "'"})
	}
	value, _ := strconv.Atoi(raw)
	if value < low || value > high {
		panic(problem{400, fmt.Sprintf("%s; got %d", expected, value)})
	}
	return value
}

// name: the path arrives decoded; a blank name (or none) greets Anonymous.
func name(raw string) string {
	if strings.TrimSpace(raw) == "" {
		return "Anonymous"
	}
	return raw
}

func text(w http.ResponseWriter, body string) {
	send(w, http.StatusOK, "text/plain; charset=UTF-8", []byte(body))
}

func send(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 8080, "port to listen on")
	flag.Parse()
	rt := &routes{cpu: cpuWorkers(runtime.GOMAXPROCS(0)), fanOut: newFanOut(), posts: newPosts()}
	// Keep idle keep-alive connections as long as loom-service does (server.idle-connection-timeout: 60 s). The
	// accept backlog is Linux's net.core.somaxconn, which Go's listener asks for.
	server := &http.Server{Handler: rt, IdleTimeout: 60 * time.Second}
	listener, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("go-peer on http://%s (GOMAXPROCS %d)\n", listener.Addr(), runtime.GOMAXPROCS(0))
	log.Fatal(server.Serve(listener))
}
