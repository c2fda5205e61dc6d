// The clinic board reloads itself every so often, except while someone is entering an event on
// it: a time typed beside the buttons, or a field in use, would be thrown away by the reload.
// Without JavaScript the page's <noscript> refresh does the reloading. Both ask with
// auto_refresh=1: a reload is not the user doing something, so it does not keep her login alive
// (mammapoli/accounts/sessions.py).
(function () {
  "use strict";
  var board = document.querySelector("[data-refresh-seconds]");
  if (!board) {
    return;
  }
  var seconds = Number(board.getAttribute("data-refresh-seconds")) || 30;

  function busy() {
    if (window.mammapoliBusy && window.mammapoliBusy()) {
      return true;  // an event is being sent: a reload would lose it
    }
    var active = document.activeElement;
    if (active && board.contains(active) && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(active.tagName)) {
      return true;
    }
    return Array.prototype.some.call(board.querySelectorAll("input[name=at]"), function (input) {
      return input.value !== "";
    });
  }

  window.mammapoliBoard = {busy: busy};
  window.setInterval(function () {
    if (!busy()) {
      var url = new URL(window.location.href);
      url.searchParams.set("auto_refresh", "1");
      window.location.replace(url.href);
    }
  }, seconds * 1000);
}());
