// Package bot is the chat pipeline: one push in, one passive reply out.
// A push is claimed once (dedupe across WeChat's retries and instances),
// the follower's state is read under a per-follower turn lock, the
// dialogue engine (dialog.Step) decides, the turn's effects run (leads and
// roster answers through the use cases handed in), the reply is rendered
// from the templates and the state saved, within WeChat's 5-second window.
// It also holds the policy in force (Policies) and the renderer (Replies)
// that the use cases share.
package bot
