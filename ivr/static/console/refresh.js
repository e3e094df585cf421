// The status board refreshes itself: every few seconds its content is fetched again and
// swapped in place (no reload, no flicker). A session that has ended shows the login page.
(function () {
  "use strict";
  var note = document.getElementById("refresh");
  var board = document.getElementById("main");
  if (!note || !board || !window.fetch || !window.DOMParser) {
    return;
  }
  var seconds = parseInt(note.getAttribute("data-seconds"), 10) || 30;
  function refresh() {
    if (document.hidden) {
      return;
    }
    fetch(window.location.href, {
      headers: { "X-Console-Refresh": "1" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (response) {
      if (!response.ok || response.redirected) {
        window.location.reload();
        return null;
      }
      return response.text();
    }).then(function (text) {
      if (!text) {
        return;
      }
      var page = new DOMParser().parseFromString(text, "text/html");
      var fresh = page.getElementById("main");
      if (fresh) {
        board.replaceChildren.apply(board, Array.prototype.slice.call(fresh.childNodes));
      }
    }).catch(function () {
      // The server is away for a moment: the next round tries again.
    });
  }
  window.setInterval(refresh, seconds * 1000);
})();
