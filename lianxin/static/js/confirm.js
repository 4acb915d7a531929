// Ask before sending a form marked data-confirm="…" (取消报名, 取消预约): on a small phone screen one tap by
// mistake would give up a place that someone on the waitlist then takes. A static file because the pages'
// Content-Security-Policy allows no inline script; without JavaScript the form is simply sent, as before.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
