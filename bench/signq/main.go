// Command signq prints signed plaintext webhook query strings, one a line,
// each with its own nonce, for load generators that cannot compute SHA-1
// per request (bench/wrk/push.lua). The webhook binds a signed
// (timestamp, nonce) to the body it first carried, so one signature cannot
// serve many bodies; every request needs a query of its own.
//
//	go run ./bench/signq -token benchtoken -n 800000 > queries.txt
package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"
)

func main() {
	token := flag.String("token", "", "the webhook token")
	n := flag.Int("n", 100000, "how many queries")
	flag.Parse()
	if *token == "" {
		fmt.Fprintln(os.Stderr, "signq: -token is required")
		os.Exit(2)
	}
	b := make([]byte, 4)
	rand.Read(b)
	prefix := hex.EncodeToString(b)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	for i := range *n {
		nonce := prefix + strconv.Itoa(i)
		parts := []string{*token, ts, nonce}
		sort.Strings(parts)
		h := sha1.New()
		for _, p := range parts {
			h.Write([]byte(p))
		}
		fmt.Fprintf(w, "signature=%x&timestamp=%s&nonce=%s\n", h.Sum(nil), ts, nonce)
	}
}
