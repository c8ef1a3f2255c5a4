// Command floor is the benchmark's floor: the least a WeChat webhook can do.
// It checks the signature, decrypts in safe mode, parses the XML and answers
// a fixed text reply (encrypted in safe mode), with gin, and nothing else: no
// dedupe, no state, no database. The service's throughput is reported as a
// share of this one's on the same machine.
//
//	ADDR=127.0.0.1:8090 WECHAT_TOKEN=t [WECHAT_ENCODING_AES_KEY=… WECHAT_APP_ID=…] floor
package main

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log"
	"net/http"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/util"
)

func sign(parts ...string) string {
	sort.Strings(parts)
	h := sha1.New()
	for _, p := range parts {
		io.WriteString(h, p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

type push struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	MsgID        int64  `xml:"MsgId"`
}

type envelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      string   `xml:"Encrypt"`
	MsgSignature string   `xml:"MsgSignature,omitempty"`
	TimeStamp    string   `xml:"TimeStamp,omitempty"`
	Nonce        string   `xml:"Nonce,omitempty"`
}

func main() {
	addr := envOr("ADDR", "127.0.0.1:8090")
	token := envOr("WECHAT_TOKEN", "floor")
	appID, aesKey := os.Getenv("WECHAT_APP_ID"), os.Getenv("WECHAT_ENCODING_AES_KEY")

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.POST("/wechat", func(c *gin.Context) {
		ts, nonce := c.Query("timestamp"), c.Query("nonce")
		if !same(sign(token, ts, nonce), c.Query("signature")) {
			c.String(http.StatusForbidden, "forbidden")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10))
		if err != nil {
			c.String(http.StatusBadRequest, "bad request")
			return
		}
		aes := c.Query("encrypt_type") == "aes"
		if aes {
			var env envelope
			if xml.Unmarshal(body, &env) != nil || !same(sign(token, ts, nonce, env.Encrypt), c.Query("msg_signature")) {
				c.String(http.StatusForbidden, "forbidden")
				return
			}
			if _, body, err = util.DecryptMsg(appID, env.Encrypt, aesKey); err != nil {
				c.String(http.StatusBadRequest, "bad request")
				return
			}
		}
		var m push
		if err := xml.Unmarshal(body, &m); err != nil || m.FromUserName == "" {
			c.String(http.StatusBadRequest, "bad request")
			return
		}
		reply := []byte("<xml><ToUserName><![CDATA[" + m.FromUserName + "]]></ToUserName><FromUserName><![CDATA[" +
			m.ToUserName + "]]></FromUserName><CreateTime>" + strconv.FormatInt(time.Now().Unix(), 10) +
			"</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>")
		if aes {
			random := make([]byte, 16)
			rand.Read(random)
			enc, err := util.EncryptMsg(random, reply, appID, aesKey)
			if err != nil {
				c.String(http.StatusOK, "success")
				return
			}
			reply, _ = xml.Marshal(envelope{Encrypt: string(enc), MsgSignature: sign(token, ts, nonce, string(enc)), TimeStamp: ts, Nonce: nonce})
		}
		c.Data(http.StatusOK, "application/xml; charset=utf-8", reply)
	})
	srv := &http.Server{Addr: addr, Handler: r, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second}
	log.Printf("floor listening on %s (safe mode: %t)", addr, aesKey != "")
	log.Fatal(srv.ListenAndServe())
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
