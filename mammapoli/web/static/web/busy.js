// A form that is sent says so: its button reads "Planning…" (its data-busy-label) and the
// form's other buttons wait, so nobody presses twice while a re-plan runs. The buttons stay
// enabled for the browser (a disabled button would not send its name and value): a second
// submit is simply ignored. Without JavaScript the forms work as they are.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    var pressed = event.submitter || form.querySelector("button[type=submit]");
    form.setAttribute("aria-busy", "true");
    form.classList.add("is-busy");
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.setAttribute("aria-disabled", "true");
    });
    if (pressed) {
      pressed.classList.add("is-pressed");
      var label = pressed.getAttribute("data-busy-label") || document.documentElement.getAttribute("data-busy-label");
      if (label) {
        pressed.textContent = label;
      }
    }
  });
  window.mammapoliBusy = function () {
    return document.querySelector("form[aria-busy=true]") !== null;
  };
}());
