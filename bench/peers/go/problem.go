package main

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// problem is an RFC 9457 problem+json answer: handlers panic with one, routes.ServeHTTP recovers and sends it.
type problem struct {
	status int
	detail string
}

var titles = map[int]string{400: "Bad Request", 404: "Not Found", 413: "Content Too Large",
	415: "Unsupported Media Type", 422: "Unprocessable Content"}

func (p problem) send(w http.ResponseWriter, path string) {
	body := struct {
		Type     string `json:"type"`
		Title    string `json:"title"`
		Status   int    `json:"status"`
		Detail   string `json:"detail"`
		Instance string `json:"instance"`
	}{"about:blank", titles[p.status], p.status, p.detail, path}
	send(w, p.status, "application/problem+json", marshal(body))
}

// marshal is JSON without encoding/json's HTML escaping of <, > and &, as the other peers write it.
func marshal(value any) []byte {
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(value); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}
