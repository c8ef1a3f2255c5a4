package bot

import (
	"github.com/silenceper/wechat/v2/officialaccount/menu"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// Menu is the account's custom menu (自检 / 申请与产品 / 我的进度), as
// `go run . menu sync` pushes it and the simulator shows it.
func Menu() []*menu.Button {
	click := func(name, key string) *menu.Button {
		return &menu.Button{Type: "click", Name: name, Key: key}
	}
	return []*menu.Button{
		{Name: "自检", SubButtons: []*menu.Button{
			click("质量信誉自检", dialog.KeySelfCheck),
			click("苏质贷测算", dialog.KeyCalc),
		}},
		{Name: "申请与产品", SubButtons: []*menu.Button{
			click("金融产品", dialog.KeyProducts),
			click("申请入库", dialog.KeyApply),
			click("融资需求", dialog.KeyNeed),
		}},
		{Name: "我的进度", SubButtons: []*menu.Button{
			click("我的进度", dialog.KeyProgress),
			click("联系方式", dialog.KeyContacts),
			click("使用帮助", dialog.KeyHelp),
			click("人工服务", dialog.KeyHuman),
		}},
	}
}
