// Simulator: posts what the user types or clicks to /simulator/send, which
// signs it and runs it through the real webhook, and shows the reply.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var chat = document.getElementById("chat");
  var input = document.getElementById("sim-input");
  var openid = document.getElementById("sim-openid");
  var lastInbox = 0;
  var busy = false;

  function bubble(who, text) {
    var row = document.createElement("div");
    row.className = "msg-row " + who;
    var avatar = document.createElement("span");
    avatar.className = "avatar";
    avatar.textContent = who === "me" ? "我" : "质";
    var b = document.createElement("div");
    b.className = "bubble";
    b.textContent = text;
    row.appendChild(avatar);
    row.appendChild(b);
    chat.appendChild(row);
    chat.scrollTop = chat.scrollHeight;
    return b;
  }

  function sys(text) {
    var d = document.createElement("div");
    d.className = "sys";
    d.textContent = text;
    chat.appendChild(d);
    chat.scrollTop = chat.scrollHeight;
  }

  function send(payload, shown) {
    if (busy) { return; }
    busy = true;
    payload.openid = openid.value.trim();
    if (shown) { bubble("me", shown); }
    var wait = bubble("bot typing", "…");
    fetch("/simulator/send", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().then(function (j) { return { status: r.status, body: j }; });
    }).then(function (res) {
      wait.parentNode.remove();
      if (res.body.error) { sys(res.body.error); return; }
      if (res.body.reply) { bubble("bot", res.body.reply); }
      else { sys("（公众号未回复，返回 success）"); }
    }).catch(function () {
      wait.parentNode.remove();
      sys("网络错误，请重试");
    }).then(function () { busy = false; pollInbox(); });
  }

  function sendText() {
    var text = input.value;
    if (!text.trim()) { return; }
    input.value = "";
    send({ text: text }, text);
  }

  function pollInbox() {
    var id = openid.value.trim();
    if (!id) { return; }
    fetch("/simulator/inbox?openid=" + encodeURIComponent(id) + "&after=" + lastInbox, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (j) {
        (j.messages || []).forEach(function (m) {
          lastInbox = Math.max(lastInbox, m.id);
          var b = bubble("bot pushed", m.text);
          b.title = m.api + " · " + m.at;
        });
      }).catch(function () {});
  }

  function newUser() {
    var a = new Uint8Array(6);
    crypto.getRandomValues(a);
    openid.value = openid.dataset.prefix + Array.prototype.map.call(a, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    chat.innerHTML = "";
    lastInbox = 0;
    sys("新用户 " + openid.value);
    primeInbox();
  }

  // Skip what was recorded before the page opened.
  function primeInbox() {
    fetch("/simulator/inbox?openid=" + encodeURIComponent(openid.value.trim()), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (j) { (j.messages || []).forEach(function (m) { lastInbox = Math.max(lastInbox, m.id); }); })
      .catch(function () {});
  }

  document.getElementById("sim-send").addEventListener("click", sendText);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.isComposing) { e.preventDefault(); sendText(); }
  });
  document.getElementById("toggle-menu").addEventListener("click", function () {
    document.getElementById("menu-row").classList.toggle("hidden");
    document.getElementById("input-row").classList.toggle("hidden");
  });
  Array.prototype.forEach.call(document.querySelectorAll(".menu-top"), function (btn) {
    btn.addEventListener("click", function () {
      var sub = btn.parentNode.querySelector(".submenu");
      var open = !sub.classList.contains("hidden");
      Array.prototype.forEach.call(document.querySelectorAll(".submenu"), function (s) { s.classList.add("hidden"); });
      if (!open) { sub.classList.remove("hidden"); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".menu-key"), function (btn) {
    btn.addEventListener("click", function () {
      btn.parentNode.classList.add("hidden");
      send({ event: "CLICK", key: btn.dataset.key }, "［菜单］" + btn.textContent);
    });
  });
  document.getElementById("sim-subscribe").addEventListener("click", function () { send({ event: "subscribe" }, "［关注公众号］"); });
  document.getElementById("sim-unsubscribe").addEventListener("click", function () { send({ event: "unsubscribe" }, "［取消关注］"); });
  document.getElementById("sim-new").addEventListener("click", newUser);
  document.getElementById("sim-scan").addEventListener("click", function () {
    var scene = document.getElementById("sim-scene").value.trim();
    if (scene) { send({ event: "subscribe", key: "qrscene_" + scene }, "［扫码关注 " + scene + "］"); }
  });
  openid.addEventListener("change", function () { lastInbox = 0; primeInbox(); });
  primeInbox();
  setInterval(pollInbox, 3000);
})();
