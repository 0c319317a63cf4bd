/* Inside the comment iframe, after thread.js: signing in through a first-party popup, which
   the iframe redeems itself (no message from the popup needed), and the signed-in box. */
(function () {
  "use strict";
  var shared = window.widgetThread;
  if (!shared) return;
  var root = shared.root, data = shared.data, auth = shared.auth, api = shared.api;

  var signInBox = document.getElementById("sign-in");
  var signedInBox = document.getElementById("signed-in");
  var guestBox = document.getElementById("guest-details");
  var statusBox = document.getElementById("sign-in-status");
  var pending = null;  // the attempt being signed in: {id, verifier, popup, timer, deadline}
  var refreshTimer = null;

  function say(message) {
    if (!statusBox) return;
    statusBox.textContent = message;
    statusBox.hidden = !message;
  }

  function setGuestFields(enabled) {
    if (!guestBox) return;
    guestBox.hidden = !enabled;
    guestBox.disabled = !enabled;
  }

  function signedIn(result) {
    auth.token = result.access_token;
    auth.user = result.user;
    signedInBox.querySelector(".signed-in-name").textContent = auth.user.name;
    signedInBox.querySelector(".signed-in-provider").textContent = auth.user.provider_label;
    shared.showAvatar(signedInBox, auth.user.name, auth.user.avatar_url);
    signedInBox.hidden = false;
    if (signInBox) signInBox.hidden = true;
    setGuestFields(false);
    say("");
    clearTimeout(refreshTimer);
    // Access tokens are short-lived; the partitioned cookie mints the next one.
    refreshTimer = setTimeout(resume, Math.max(30, result.expires_in - 60) * 1000);
  }

  function signedOut() {
    auth.token = null;
    auth.user = null;
    clearTimeout(refreshTimer);
    signedInBox.hidden = true;
    if (signInBox) signInBox.hidden = false;
    setGuestFields(true);
  }
  shared.signedOut = signedOut;  // also when a post is refused for an expired sign-in

  function resume() {
    return api("/api/v1/session/resume", { site: data.site }).then(function (result) {
      // When the form was shown, signed by the server: posting within seconds looks like a bot.
      if (result.ok && result.body.form_token) auth.formToken = result.body.form_token;
      if (result.ok && result.body.user) signedIn(result.body); else signedOut();
    }).catch(signedOut);
  }

  function b64url(bytes) {
    var text = "";
    new Uint8Array(bytes).forEach(function (b) { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function stopWaiting() {
    if (!pending) return;
    clearTimeout(pending.timer);
    pending = null;
  }

  function redeem() {
    if (!pending) return;
    var attempt = pending;
    clearTimeout(attempt.timer);
    api("/api/v1/auth/attempts/" + encodeURIComponent(attempt.id) + "/redeem",
        { verifier: attempt.verifier }).then(function (result) {
      if (pending !== attempt) return;
      if (result.status === 202) {
        if (Date.now() > attempt.deadline) {
          stopWaiting();
          say("Sign-in took too long. Try again.");
        } else {
          attempt.timer = setTimeout(redeem, 1500);
        }
        return;
      }
      stopWaiting();
      try { attempt.popup.close(); } catch (e) { /* already closed */ }
      if (result.ok && result.body.status === "signed_in") {
        signedIn(result.body);
      } else if (result.ok) {
        say(result.body.error.message);
      } else {
        say((result.body.error && result.body.error.message) || "Sign-in did not finish.");
      }
    }).catch(function () {
      if (pending === attempt) attempt.timer = setTimeout(redeem, 3000);
    });
  }

  function startSignIn(button) {
    // Open the window now, inside the click: after an await the browser would block it.
    var popup = window.open("about:blank", "widget-login", "popup,width=520,height=680");
    if (!popup) {
      say("Your browser blocked the sign-in window. Allow pop-ups here and try again" +
          (guestBox ? ", or comment as a guest." : "."));
      return;
    }
    stopWaiting();
    var label = button.dataset.label;
    var verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
    crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (hash) {
      return api("/api/v1/auth/attempts",
                 { site: data.site, provider: button.dataset.provider, challenge: b64url(hash) });
    }).then(function (result) {
      if (!result.ok) throw new Error((result.body.error || {}).message || "Sign-in is unavailable.");
      pending = {
        id: result.body.attempt, verifier: verifier, popup: popup,
        deadline: Date.now() + result.body.expires_in * 1000, timer: null
      };
      var start = document.createElement("form");
      start.method = "post";
      start.action = data.authStart;
      start.target = "widget-login";
      start.hidden = true;
      [["attempt", result.body.attempt], ["start_token", result.body.start_token]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        start.appendChild(input);
      });
      document.body.appendChild(start);
      start.submit();
      start.remove();
      say("Waiting for you to sign in with " + label + " in the pop-up window\u2026");
      pending.timer = setTimeout(redeem, 1500);
    }).catch(function (error) {
      try { popup.close(); } catch (e) { /* ignore */ }
      say(error.message || "Sign-in is unavailable right now.");
    });
  }

  window.addEventListener("message", function (event) {
    // Only our own popup, from our own origin, about the attempt we are waiting for.
    if (!pending || event.origin !== location.origin || event.source !== pending.popup) return;
    var m = event.data;
    if (m && m.type === "widget:auth-done" && m.attempt === pending.id) redeem();
  });
  // Back from the popup: check at once rather than at the next poll.
  window.addEventListener("focus", function () { if (pending) redeem(); });

  root.addEventListener("click", function (event) {
    var button = event.target.closest(".provider-button");
    if (button) startSignIn(button);
  });
  document.getElementById("log-out").addEventListener("click", function () {
    api("/api/v1/session/logout").then(signedOut, signedOut);
  });
  document.getElementById("change-account").addEventListener("click", function () {
    if (signInBox) {
      signInBox.hidden = false;
      say("Choose the account to comment with.");
    }
  });
  if (signInBox) signInBox.hidden = false;
  resume();
})();
