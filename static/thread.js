/* Inside the comment iframe: post without a reload, reply in place, keep the iframe sized.
   The page is complete without this script; it only adds what needs a browser. */
(function () {
  "use strict";
  var root = document.getElementById("widget");
  if (!root) return;
  var data = root.dataset;
  var form = document.getElementById("comment-form");
  var respond = document.getElementById("respond");
  var list = document.getElementById("comment-list");
  var parentOrigin = data.parentOrigin;

  function tell(message) {
    // Only to the embedding page the server vouched for (frame-ancestors keeps others out).
    if (parentOrigin && window.parent !== window) window.parent.postMessage(message, parentOrigin);
  }

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
  function replyTo(button) {
    var li = button.closest("li.comment");
    li.querySelector(".comment-body").after(respond);
    form.elements.parent_id.value = li.dataset.id;
    var author = li.querySelector(".comment-author");
    replyTitle.textContent = "Reply to " + (author ? author.textContent : "comment");
    cancel.hidden = false;
    form.elements.body.focus();
  }
  function resetReply() {
    home.insertBefore(respond, homeNext);
    form.elements.parent_id.value = "";
    replyTitle.textContent = "Leave a Reply";
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

  function headingText(count) {
    var words = count === 0 ? "No comments yet"
      : count === 1 ? "1 comment" : count.toLocaleString("en") + " comments";
    return data.title ? words + " on \u201c" + data.title + "\u201d" : words;
  }

  function avatarColor(name) {
    var sum = 0;
    for (var ch of name || "?") sum += ch.codePointAt(0);
    return sum % 8;
  }

  function render(comment, depth) {
    var li = document.getElementById("comment-template").content.firstElementChild.cloneNode(true);
    li.id = "comment-" + comment.id;
    li.dataset.id = comment.id;
    li.classList.add("depth-" + depth);
    var avatar = li.querySelector(".avatar");
    avatar.textContent = Array.from(comment.author_name || "?")[0].toUpperCase();
    avatar.classList.add("avatar-c" + avatarColor(comment.author_name));
    var author = li.querySelector(".comment-author");
    if (comment.author_url) {
      var link = document.createElement("a");
      link.href = comment.author_url;
      link.rel = "nofollow ugc noopener";
      link.target = "_blank";
      link.textContent = comment.author_name;
      author.appendChild(link);
    } else {
      author.textContent = comment.author_name;
    }
    var permalink = li.querySelector(".comment-permalink");
    permalink.href = data.url + "#comment-" + comment.id;
    var time = li.querySelector("time");
    time.setAttribute("datetime", comment.created_at);
    showTime(time);
    // Sanitised by the server when the comment was written: safe to insert as HTML.
    li.querySelector(".comment-content").innerHTML = comment.html;
    var reply = li.querySelector(".comment-reply");
    if (comment.status === "pending") {
      li.classList.add("is-pending");
      li.querySelector(".comment-awaiting").hidden = false;
      reply.remove();
    } else {
      reply.dataset.replyTo = comment.id;
      reply.setAttribute("aria-label", "Reply to " + comment.author_name);
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
    var payload = {
      site: data.site,
      url: data.url,
      title: data.title,
      body: f.body.value,
      author_name: f.author_name.value,
      author_email: f.author_email.value,
      author_url: f.author_url.value
    };
    if (f.parent_id.value) payload.parent_id = Number(f.parent_id.value);
    submit.disabled = true;
    submit.textContent = "Posting\u2026";
    fetch(data.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest" },
      body: JSON.stringify(payload),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var error = body.error || {};
          var message = response.status === 429
            ? "You are commenting quickly. Please wait a moment and try again."
            : error.message || "Your comment could not be posted (" + response.status + ").";
          showError(message, error.field);
          return;
        }
        var li = insert(body);
        if (body.status === "published") {
          data.count = Number(data.count) + 1;
          document.getElementById("comments-title").textContent = headingText(Number(data.count));
        }
        f.body.value = "";
        resetReply();
        li.scrollIntoView({ block: "nearest" });
        tell({ type: "widget:scroll", top: li.getBoundingClientRect().top + window.scrollY });
      });
    }).catch(function () {
      showError("The comment service could not be reached. Check your connection and try again.");
    }).then(function () {
      submit.disabled = false;
      submit.textContent = "Post Comment";
    });
  });

  /* A permalink opened on the blog page. */
  if (data.highlight) {
    var target = document.getElementById(data.highlight);
    if (target) {
      target.classList.add("is-highlighted");
      tell({ type: "widget:scroll", top: target.getBoundingClientRect().top + window.scrollY });
    }
  }
})();
