package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

const maxPosts, maxBody = 10000, 65536

var postID = regexp.MustCompile(`^[0-9]{1,18}$`)

// posts answers POST /posts (stores a JSON object, answers 201 with it, its server-assigned id first, and a
// Location) and GET /posts/{id}. At most 10,000 posts are kept, the oldest evicted first, as in loom-service and
// the other peers. A post is kept as the client's JSON, compacted, behind the id: its members keep their order.
//
// Bad input is a problem: 415 (not application/json in UTF-8), 413 (over 64 KiB), 400 (not UTF-8, or malformed
// JSON), 422 (valid JSON that is not an object, or brings its own id); an unknown id is 404.
type posts struct {
	mu     sync.Mutex // held for a map operation only, never across blocking calls
	lastID int64
	byID   map[int64][]byte
}

func newPosts() *posts {
	return &posts{byID: make(map[int64][]byte)}
}

func (p *posts) create(w http.ResponseWriter, r *http.Request) {
	fields := object(r)
	p.mu.Lock()
	p.lastID++
	id := p.lastID
	post := []byte(`{"id":` + strconv.FormatInt(id, 10))
	if len(fields) > 2 { // more than {}
		post = append(append(post, ','), fields[1:]...)
	} else {
		post = append(post, '}')
	}
	p.byID[id] = post
	delete(p.byID, id-maxPosts) // ids are consecutive: this one is the oldest
	p.mu.Unlock()
	w.Header().Set("Location", fmt.Sprintf("/posts/%d", id))
	send(w, http.StatusCreated, "application/json", post)
}

func (p *posts) find(w http.ResponseWriter, raw string) {
	var post []byte
	if postID.MatchString(raw) {
		id, _ := strconv.ParseInt(raw, 10, 64)
		p.mu.Lock()
		post = p.byID[id]
		p.mu.Unlock()
	}
	if post == nil {
		panic(problem{404, "no post with id '" + raw + "'"})
	}
	send(w, http.StatusOK, "application/json", post)
}

// object is the body as one compacted JSON object, or it panics with the problem that says why not.
func object(r *http.Request) []byte {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	charset := params["charset"]
	if err != nil || mediaType != "application/json" || !(charset == "" || strings.EqualFold(charset, "utf-8")) {
		panic(problem{415, "the body must be application/json (UTF-8)"})
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		panic(problem{400, "the body could not be read: " + err.Error()})
	}
	if len(body) > maxBody {
		panic(problem{413, fmt.Sprintf("the body must be at most %d bytes", maxBody)})
	}
	if !utf8.Valid(body) {
		panic(problem{400, "the body is not valid UTF-8"})
	}
	var value any
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	if err := decoder.Decode(&value); err != nil {
		panic(problem{400, "malformed JSON: " + err.Error()})
	}
	if _, err := decoder.Token(); err != io.EOF {
		panic(problem{400, "malformed JSON: data after the value"})
	}
	members, isObject := value.(map[string]any)
	if !isObject {
		panic(problem{422, "the body must be a JSON object"})
	}
	if _, hasID := members["id"]; hasID {
		panic(problem{422, "'id' is assigned by the server; leave it out"})
	}
	var compact bytes.Buffer
	json.Compact(&compact, body) // valid JSON, decoded above
	return compact.Bytes()
}
