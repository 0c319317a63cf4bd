/* Inside the comment iframe: post without a reload, reply in place, keep the iframe sized.
   The page is complete without this script; it only adds what needs a browser. Signing in is
   thread-sign-in.js, loaded after this, which shares what `window.widgetThread` holds. */
(function () {
  "use strict";
  var root = document.getElementById("widget");
  if (!root) return;
  var data = root.dataset;
  var form = document.getElementById("comment-form");
  var respond = document.getElementById("respond");
  var list = document.getElementById("comment-list");
  // The page is the same for every embedding (it is cached), so what differs is read here:
  // messages go only to an embedding page of the site's own, and frame-ancestors makes sure
  // no other page can frame us and claim to be one.
  var query = new URLSearchParams(location.search);
  var parentOrigin = data.origins.split(" ").indexOf(query.get("parent")) >= 0
    ? query.get("parent") : "";

  function tell(message) {
    // Only to the embedding page the server vouched for (frame-ancestors keeps others out).
    if (parentOrigin && window.parent !== window) window.parent.postMessage(message, parentOrigin);
  }

  var auth = { token: null, user: null, formToken: null };

  function api(path, payload) {
    var headers = { "Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest" };
    if (auth.token) headers.Authorization = "Bearer " + auth.token;
    return fetch(path, {
      method: "POST", headers: headers, body: JSON.stringify(payload || {}),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, ok: response.ok, body: body };
      });
    });
  }

  // What thread-sign-in.js uses; it sets signedOut, which a post refused with 401 calls.
  var shared = window.widgetThread = {
    root: root, data: data, auth: auth, api: api, showAvatar: showAvatar,
    signedOut: function () {}
  };

  /* Size: the embedding page sets the iframe to our height, so it never needs a scrollbar. */
  var lastHeight = -1;
  function reportHeight() {
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      tell({ type: "widget:resize", height: height });
    }
  }
  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(root);
  window.addEventListener("load", reportHeight);
  reportHeight();

  /* Times: relative ("5 minutes ago"), the exact local time on hover. */
  var relative = window.Intl && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }) : null;
  var exact = new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeStyle: "short" });
  var STEPS = [[60, "second"], [60, "minute"], [24, "hour"], [7, "day"], [4.35, "week"],
               [12, "month"], [Infinity, "year"]];
  function ago(date) {
    var value = (date.getTime() - Date.now()) / 1000;
    for (var i = 0; i < STEPS.length; i++) {
      if (Math.abs(value) < STEPS[i][0]) {
        if (STEPS[i][1] === "second" && Math.abs(value) < 45) return relative.format(0, "second");
        return relative.format(Math.round(value), STEPS[i][1]);
      }
      value /= STEPS[i][0];
    }
  }
  function showTime(el) {
    var date = new Date(el.getAttribute("datetime"));
    if (isNaN(date)) return;
    el.title = exact.format(date);
    if (relative) el.textContent = ago(date);
  }
  function refreshTimes() {
    Array.prototype.forEach.call(root.querySelectorAll("time[datetime]"), showTime);
  }
  refreshTimes();
  setInterval(refreshTimes, 60000);

  /* Replies: the one form moves under the comment being answered. */
  var home = respond.parentNode, homeNext = respond.nextSibling;
  var cancel = respond.querySelector(".cancel-reply");
  var replyTitle = respond.querySelector(".reply-title-text");
  var leaveReply = replyTitle.textContent;
  function replyTo(button) {
    var li = button.closest("li.comment");
    li.querySelector(".comment-body").after(respond);
    form.elements.parent_id.value = li.dataset.id;
    replyTitle.textContent = button.getAttribute("aria-label");  // "Reply to Ada", as the server words it
    cancel.hidden = false;
    form.elements.body.focus();
  }
  function resetReply() {
    home.insertBefore(respond, homeNext);
    form.elements.parent_id.value = "";
    replyTitle.textContent = leaveReply;
    cancel.hidden = true;
  }
  function enableReply(button) { button.hidden = false; }
  Array.prototype.forEach.call(root.querySelectorAll(".comment-reply"), enableReply);
  root.addEventListener("click", function (event) {
    var button = event.target.closest(".comment-reply");
    if (button) replyTo(button);
  });
  cancel.addEventListener("click", resetReply);

  /* Posting. */
  var errorBox = document.getElementById("form-error");
  var submit = form.querySelector("button[type=submit]");
  var submitLabel = submit.textContent;
  submit.disabled = false;

  function showError(message, field) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
      el.removeAttribute("aria-invalid");
    });
    var input = field && form.elements[field];
    if (input && input.type !== "hidden") {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "form-error");
      input.focus();
    }
  }

  /* The server's words and markup: the page carries the heading's wording and a <template> of
     one comment (templates/embed/_comment.html), filled here with text only. */
  function fill(wording, value) {
    // The first "{placeholder}" is ours: the server puts it before any reader's text.
    return wording.replace(/\{\w+\}/, function () { return value; });
  }

  function headingText(count) {
    return count === 1 ? data.headingOne : fill(data.headingMany, count.toLocaleString("en"));
  }

  function avatarColor(name) {
    var sum = 0;
    for (var ch of name || "?") sum += ch.codePointAt(0);
    return sum % 8;
  }

  // The box holds a picture and an initial: shows the one this person has.
  function showAvatar(box, name, src) {
    var picture = box.querySelector("img.avatar"), initial = box.querySelector("span.avatar");
    if (src) picture.src = src;
    picture.hidden = !src;
    initial.hidden = !!src;
    initial.textContent = Array.from(name || "?")[0].toUpperCase();
    initial.className = "avatar avatar-c" + avatarColor(name);
  }

  function providerLabel(name) {
    var button = root.querySelector('.provider-button[data-provider="' + name + '"]');
    if (button) return button.dataset.label;
    return auth.user && auth.user.provider === name ? auth.user.provider_label : name;
  }

  function render(comment, depth) {
    var li = document.getElementById("comment-template").content.firstElementChild.cloneNode(true);
    var name = comment.author_name;
    li.id = "comment-" + comment.id;
    li.dataset.id = comment.id;
    li.classList.add("depth-" + depth);
    showAvatar(li, name, comment.author_avatar_url);
    li.querySelector(".avatar[hidden]").remove();
    var mark = li.querySelector(".provider-mark");
    if (comment.provider) {
      var label = providerLabel(comment.provider);
      mark.textContent = label;
      mark.title = fill(mark.title, label);
      mark.className = fill(mark.className, comment.provider);
    } else {
      mark.remove();
    }
    var author = li.querySelector(".comment-author");
    if (comment.author_url) {
      author.firstElementChild.href = comment.author_url;
      author.firstElementChild.textContent = name;
    } else {
      author.textContent = name;  // and the link goes
    }
    li.querySelector(".comment-permalink").href = data.url + "#comment-" + comment.id;
    var time = li.querySelector("time");
    time.setAttribute("datetime", comment.created_at);
    showTime(time);
    // Sanitised by the server when the comment was written: safe to insert as HTML.
    li.querySelector(".comment-content").innerHTML = comment.html;
    var reply = li.querySelector(".comment-reply");
    var awaiting = li.querySelector(".comment-awaiting");
    if (comment.status === "pending") {
      li.classList.add("is-pending");
      awaiting.hidden = false;
      reply.remove();
    } else {
      awaiting.remove();
      reply.dataset.replyTo = comment.id;
      reply.setAttribute("aria-label", fill(reply.getAttribute("aria-label"), name));
      reply.hidden = false;
    }
    return li;
  }

  function insert(comment) {
    var parent = comment.parent_id && document.getElementById("comment-" + comment.parent_id);
    var depth = 0, target = list;
    if (parent) {
      var match = /depth-(\d+)/.exec(parent.className);
      depth = match ? Number(match[1]) + 1 : 1;
      target = parent.querySelector(":scope > ol.children");
      if (!target) {
        target = document.createElement("ol");
        target.className = "children";
        parent.appendChild(target);
      }
    }
    var li = render(comment, depth);
    target.appendChild(li);
    li.classList.add("is-new");
    return li;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var f = form.elements;
    var payload = { site: data.site, url: data.url, title: data.title, body: f.body.value };
    if (!auth.user && f.author_name) {
      payload.author_name = f.author_name.value;
      payload.author_email = f.author_email.value;
      payload.author_url = f.author_url.value;
      payload.homepage = f.homepage.value;
      payload.form_token = auth.formToken;
    }
    if (f.parent_id.value) payload.parent_id = Number(f.parent_id.value);
    if (f.notify_replies && f.notify_replies.checked) payload.notify_replies = true;
    submit.disabled = true;
    submit.textContent = "Posting\u2026";
    api(data.api, payload).then(function (result) {
      var body = result.body;
      if (!result.ok) {
        var error = body.error || {};
        if (result.status === 401) shared.signedOut();
        var message = result.status === 429
          ? "You are commenting quickly. Please wait a moment and try again."
          : error.message || "Your comment could not be posted (" + result.status + ").";
        showError(message, error.field);
        return;
      }
      // Each form token passes once: the answer brings the one for this reader's next post.
      if (body.form_token) auth.formToken = body.form_token;
      var li = insert(body);
      if (body.status === "published") {
        data.count = Number(data.count) + 1;
        document.getElementById("comments-title").textContent = headingText(Number(data.count));
      }
      f.body.value = "";
      resetReply();
      li.scrollIntoView({ block: "nearest" });
      tell({ type: "widget:scroll", top: li.getBoundingClientRect().top + window.scrollY });
    }).catch(function () {
      showError("The comment service could not be reached. Check your connection and try again.");
    }).then(function () {
      submit.disabled = false;
      submit.textContent = submitLabel;
    });
  });

  /* Big threads: another order reloads the frame (keeping what the loader told us); "load
     more" appends the next page of top-level comments with their replies. */
  function withQuery(changes) {
    var q = new URLSearchParams(location.search);
    q.delete("page");
    q.delete("fragment");
    Object.keys(changes).forEach(function (k) { q.set(k, changes[k]); });
    return location.pathname + "?" + q;
  }
  root.addEventListener("click", function (event) {
    var sortLink = event.target.closest("a[data-sort]");
    if (sortLink) {
      event.preventDefault();
      location.replace(withQuery({ sort: sortLink.dataset.sort }));
      return;
    }
    var more = event.target.closest("#load-more");
    if (!more) return;
    event.preventDefault();
    more.textContent = "Loading\u2026";
    var sort = new URLSearchParams(location.search).get("sort") || "oldest";
    fetch(withQuery({ sort: sort, page: more.dataset.page, fragment: "1" })).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    }).then(function (html) {
      var next = document.createElement("template");
      next.innerHTML = html;  // our own server-rendered, sanitised markup
      var items = next.content.querySelector("ol");
      Array.prototype.slice.call(items.children).forEach(function (li) { list.appendChild(li); });
      document.getElementById("load-more-wrap").replaceWith(
        next.content.getElementById("load-more-wrap") || document.createTextNode(""));
      Array.prototype.forEach.call(list.querySelectorAll(".comment-reply[hidden]"), enableReply);
      refreshTimes();
    }).catch(function () {
      more.textContent = "Could not load more comments. Try again";
    });
  });

  /* A permalink opened on the blog page, or followed inside the thread. */
  function highlight(id) {
    var target = /^comment-\d+$/.test(id) && document.getElementById(id);
    if (!target) return;
    Array.prototype.forEach.call(root.querySelectorAll(".is-highlighted"), function (el) {
      el.classList.remove("is-highlighted");
    });
    target.classList.add("is-highlighted");
    tell({ type: "widget:scroll", top: target.getBoundingClientRect().top + window.scrollY });
  }
  if (query.get("hl")) highlight(query.get("hl"));
  window.addEventListener("message", function (event) {
    // Only the embedding page the server vouched for.
    if (!parentOrigin || event.source !== window.parent || event.origin !== parentOrigin) return;
    var m = event.data;
    if (m && m.type === "widget:highlight" && typeof m.id === "string") highlight(m.id);
  });
})();
