// N goroutines, each sleeping one second, all at once (bench/run builds it into target/):
//
//	go build -o target/million-tasks-go million_tasks.go && target/million-tasks-go 1000000
//
// Prints one JSON line with the wall time from starting the first to the end of the last (a sync.WaitGroup).
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		panic(err)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Second)
		}()
	}
	wg.Wait()
	fmt.Printf("{\"tasks\": %d, \"wall_s\": %.3f}\n", n, time.Since(start).Seconds())
}
