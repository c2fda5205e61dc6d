// The job page follows its job: while it runs, the page fetches itself every second and puts
// the new state and table of improving plans in place (each plan as the engine finds it),
// until the job has finished. Without JavaScript the <noscript> refresh reloads the page.
(function () {
  "use strict";
  var live = document.querySelector("[data-job-live]");
  if (!live || live.getAttribute("data-running") !== "true") {
    return;
  }
  function follow() {
    fetch(window.location.href, {headers: {"X-Requested-With": "fetch"}, credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").querySelector("[data-job-live]");
        if (!next) {
          return;
        }
        live.innerHTML = next.innerHTML;
        if (next.getAttribute("data-running") === "true") {
          window.setTimeout(follow, 1000);
        } else {
          live.setAttribute("data-running", "false");
        }
      })
      .catch(function () { window.setTimeout(follow, 3000); });
  }
  window.setTimeout(follow, 1000);
}());
