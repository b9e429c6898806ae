module loomservice.dev/bench/go-peer

go 1.19
