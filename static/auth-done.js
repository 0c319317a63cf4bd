/* The sign-in popup's last page: tell the comment iframe (no secret in the message) and close.
   When a provider's Cross-Origin-Opener-Policy cut window.opener, nothing arrives, and the
   iframe learns the outcome by polling its attempt instead. */
(function () {
  "use strict";
  var main = document.getElementById("auth-done");
  var attempt = main.dataset.attempt;
  try {
    if (attempt && window.opener) {
      window.opener.postMessage({ type: "widget:auth-done", attempt: attempt }, location.origin);
    }
  } catch (e) { /* the opener is gone or another origin: polling covers it */ }
  document.getElementById("close-window").addEventListener("click", function () { window.close(); });
  if (main.dataset.failed !== "yes") setTimeout(function () { window.close(); }, 600);
})();
