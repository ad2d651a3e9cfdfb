/* app.js -- served as /static/app.js.  The pages work without it; it only helps:
 * keys y, n and ? answer a yes/no question, and a form is not sent twice. */
"use strict";
document.addEventListener("keydown", function (ev) {
  if (ev.target && /^(INPUT|TEXTAREA|SELECT)$/.test(ev.target.tagName)) return;
  var value = { y: "yes", n: "no", "?": "unknown" }[ev.key];
  if (!value) return;
  var button = document.querySelector('form.question button[name="a"][value="' + value + '"]');
  if (button) { ev.preventDefault(); button.click(); }
});
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (form.dataset.sent) { ev.preventDefault(); return; }
  form.dataset.sent = "1";
});
