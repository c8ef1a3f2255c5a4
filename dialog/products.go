package dialog

// Placeholder until the products flow lands: showProduct, answerTopic and faq
// are owned by the products/self-check work.

func (t *turn) showProduct(id string) { t.say("not_ready", "products") }

func (t *turn) answerTopic(topic string) { t.say("not_ready", "faq") }

func (t *turn) faq(text string) bool { return false }
