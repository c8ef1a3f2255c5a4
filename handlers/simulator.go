package handlers

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/officialaccount/menu"

	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// The simulator: a WeChat-like chat page whose script posts to
// /simulator/send. The server builds the push XML as WeChat would, signs
// it (and, in safe mode, encrypts it) with the service's own token and key,
// and runs it through the same router as /wechat; the reply is decoded the
// way WeChat would and returned to the page.

// simulatorGH is the account id the simulated pushes are addressed to.
const simulatorGH = "gh_simulator"

var simOpenID = regexp.MustCompile(`^[A-Za-z0-9_-]{6,64}$`)

type simulatorData struct {
	OpenID string
	Prefix string
	Menu   []*menu.Button
	Safe   bool
}

// simulatorPage: GET /simulator (any logged-in account).
func (cs *console) simulatorPage(c *gin.Context) {
	b := make([]byte, 6)
	rand.Read(b)
	prefix := domain.SimulatorPrefix(account(c))
	d := simulatorData{OpenID: fmt.Sprintf("%s%x", prefix, b), Prefix: prefix, Menu: bot.Menu(), Safe: cs.Codec.Safe()}
	cs.render(c, http.StatusOK, "simulator", "公众号模拟器", d)
}

type simRequest struct {
	OpenID string `json:"openid"`
	Text   string `json:"text"`
	Event  string `json:"event"` // subscribe, unsubscribe, CLICK, SCAN
	Key    string `json:"key"`
}

type simResponse struct {
	Reply    string `json:"reply"`
	Status   int    `json:"status"`
	Transfer bool   `json:"transfer,omitempty"`
	Error    string `json:"error,omitempty"`
}

func randInt63() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:]) >> 1)
}

func (r simRequest) validate() error {
	if !simOpenID.MatchString(r.OpenID) {
		return domain.Errorf(domain.ErrInvalid, "openid 应为6–64位字母、数字、- 或 _")
	}
	switch r.Event {
	case "":
		if strings.TrimSpace(r.Text) == "" || utf8.RuneCountInString(r.Text) > 600 {
			return domain.Errorf(domain.ErrInvalid, "消息不能为空，且不超过600字")
		}
	case "subscribe", "unsubscribe", "CLICK", "SCAN":
		if len(r.Key) > 64 {
			return domain.Errorf(domain.ErrInvalid, "事件 key 过长")
		}
	default:
		return domain.Errorf(domain.ErrInvalid, "事件应为 subscribe、unsubscribe、CLICK 或 SCAN")
	}
	return nil
}

// simulatorSend: POST /simulator/send {openid, text | event, key} → {reply}.
func (cs *console) simulatorSend(c *gin.Context) {
	var req simRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.JSON(http.StatusBadRequest, simResponse{Error: "请求格式不正确"})
		return
	}
	if err := req.validate(); err != nil {
		c.JSON(http.StatusBadRequest, simResponse{Error: domain.Message(err)})
		return
	}
	if err := cs.Admin.Simulate(account(c), req.OpenID); err != nil {
		c.JSON(http.StatusForbidden, simResponse{Error: domain.Message(err)})
		return
	}
	push := wechat.Push{To: simulatorGH, From: req.OpenID, At: cs.Now(), Text: req.Text, MsgID: randInt63(), Event: req.Event, Key: req.Key}
	// Signed, and in safe mode sealed, as WeChat sends it.
	random := make([]byte, 16)
	rand.Read(random)
	q, body, err := cs.Codec.SignPush(push, push.At, strconv.FormatInt(randInt63()%1_000_000_000, 10), random)
	if err != nil {
		cs.fail(c, err)
		return
	}
	r := httptest.NewRequestWithContext(c.Request.Context(), http.MethodPost, "/wechat?"+q, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "text/xml")
	r.RemoteAddr = "127.0.0.1:0"
	rec := httptest.NewRecorder()
	cs.engine.ServeHTTP(rec, r)
	res := simResponse{Status: rec.Code}
	if rec.Code != http.StatusOK {
		res.Error = fmt.Sprintf("公众号服务返回 %d：%s", rec.Code, strings.TrimSpace(rec.Body.String()))
		c.JSON(http.StatusOK, res)
		return
	}
	reply := rec.Body.Bytes()
	if string(reply) == "success" || len(reply) == 0 {
		c.JSON(http.StatusOK, res)
		return
	}
	reply, err = cs.Codec.OpenReply(reply)
	if err != nil {
		res.Error = "回复解密失败：" + err.Error()
		c.JSON(http.StatusOK, res)
		return
	}
	if strings.Contains(string(reply), "transfer_customer_service") {
		res.Transfer = true
		res.Reply = "（已转接人工客服）"
	} else if text, ok := wechat.ReplyText(reply); ok {
		res.Reply = text
	}
	c.JSON(http.StatusOK, res)
}

type simMessage struct {
	ID   uint64 `json:"id"`
	API  string `json:"api"`
	Text string `json:"text"`
	At   string `json:"at"`
}

// simulatorInbox: GET /simulator/inbox?openid=&after=id — what the service
// sent the openid since (客服 and template messages), as recorded in
// sandbox mode, oldest first.
func (cs *console) simulatorInbox(c *gin.Context) {
	openID := c.Query("openid")
	if !simOpenID.MatchString(openID) {
		c.JSON(http.StatusBadRequest, gin.H{"error": "openid 不正确"})
		return
	}
	after, _ := strconv.ParseUint(c.Query("after"), 10, 64)
	msgs, err := cs.Admin.SimulatorInbox(c.Request.Context(), account(c), openID, 50)
	if err != nil {
		cs.fail(c, err)
		return
	}
	out := []simMessage{}
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.ID > after {
			out = append(out, simMessage{ID: m.ID, API: m.API, Text: sandboxText(m), At: m.CreatedAt.In(domain.Shanghai).Format("15:04")})
		}
	}
	c.JSON(http.StatusOK, gin.H{"messages": out, "sandbox": cs.Bot.Client().Sandbox()})
}

// sandboxText is how a recorded call reads in a chat: the text of a 客服
// message, the fields of a template message.
func sandboxText(m domain.SandboxMessage) string {
	var body struct {
		Content    string            `json:"content"`
		TemplateID string            `json:"template_id"`
		URL        string            `json:"url"`
		Data       map[string]string `json:"data"`
		Markdown   struct {
			Content string `json:"content"`
		} `json:"markdown"`
		Text struct {
			Content string `json:"content"`
		} `json:"text"`
		Filter struct {
			All   bool  `json:"is_to_all"`
			TagID int64 `json:"tag_id"`
		} `json:"filter"`
		Button  []json.RawMessage `json:"button"`
		SceneID int               `json:"scene_id"`
		Tag     struct {
			Name string `json:"name"`
		} `json:"tag"`
	}
	if json.Unmarshal([]byte(m.Body), &body) != nil {
		return m.Body
	}
	switch {
	case body.Content != "":
		return body.Content
	case body.Markdown.Content != "":
		return body.Markdown.Content
	case body.Data != nil:
		keys := make([]string, 0, len(body.Data))
		for k := range body.Data {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int { return strings.Compare(templateFieldOrder(a), templateFieldOrder(b)) })
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(templateFieldLabel(m.API, k) + "：" + body.Data[k] + "\n")
		}
		if body.URL != "" {
			b.WriteString("点开进入：" + body.URL)
		}
		return strings.TrimRight(b.String(), "\n")
	case m.API == "message/mass/sendall" || m.API == "message/mass/preview":
		to := "全部关注者"
		if !body.Filter.All && body.Filter.TagID != 0 {
			to = "标签 " + strconv.FormatInt(body.Filter.TagID, 10) + " 的关注者"
		}
		if m.API == "message/mass/preview" {
			to = "预览"
		}
		text := body.Text.Content
		if text == "" {
			text = "（图文消息）"
		}
		return "发送对象：" + to + "\n" + text
	case m.API == "menu/create":
		return "公众号菜单已更新（" + strconv.Itoa(len(body.Button)) + " 个一级菜单）"
	case m.API == "qrcode/create":
		return "生成推广二维码（场景值 " + strconv.Itoa(body.SceneID) + "）"
	case m.API == "tags/create":
		return "新建用户标签“" + body.Tag.Name + "”"
	}
	return m.Body
}

// sandboxKinds name the recorded calls as people know them.
var sandboxKinds = map[string]string{
	"message/custom/send": "客服消息", "message/template/send": "模板消息", "wecom/robot": "企业微信群机器人",
	"message/mass/sendall": "群发", "message/mass/preview": "群发预览", "menu/create": "自定义菜单",
	"qrcode/create": "推广二维码", "tags/create": "用户标签",
}

// sandboxKind names a recorded call's kind.
func sandboxKind(api string) string {
	if k, ok := sandboxKinds[api]; ok {
		return k
	}
	return "其他"
}

// templateFieldLabel names a template message's field by what it carries.
func templateFieldLabel(api, key string) string {
	switch key {
	case leads.FieldNumber:
		return "编号"
	case leads.FieldEnterprise:
		return "企业"
	case leads.FieldKind:
		return "事项"
	case leads.FieldTime:
		return "时间"
	case leads.FieldCounty:
		return "说明"
	case leads.FieldStatus:
		return "状态"
	}
	return key
}

// templateFieldOrder sorts a template's fields by the number WeChat's
// keys end with (character_string1, thing2, …).
func templateFieldOrder(key string) string {
	i := strings.LastIndexFunc(key, func(r rune) bool { return r < '0' || r > '9' })
	return fmt.Sprintf("%04s", key[i+1:])
}
