/* Comment widget loader: put a page's comment thread, in an iframe, where the snippet stands.
   Runs on other people's pages, so it defines no globals and fails quietly. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.site || !window.URL || !window.URLSearchParams) return;
  var d = script.dataset;
  var service = new URL(script.src).origin;

  function content(selector, attr) {
    var el = document.querySelector(selector);
    return el ? el[attr] || el.getAttribute(attr) || "" : "";
  }

  // Comment counts: every element naming a page, filled by one request per hundred pages.
  var counted = document.querySelectorAll("[data-comment-count-url]");
  for (var i = 0; i < counted.length; i += 100) fillCounts(Array.prototype.slice.call(counted, i, i + 100));
  function fillCounts(els) {
    var q = new URLSearchParams({ site: d.site }), api = service + "/api/v1/counts", urls = [];
    els.forEach(function (el) { urls.push(el.getAttribute("data-comment-count-url")); q.append("url", urls[urls.length - 1]); });
    // A cacheable GET while it is short; past what proxies and gunicorn take (4 KB) the same
    // question as a text/plain POST, which needs no CORS preflight.
    var asked = (api + "?" + q).length < 2000 ? fetch(api + "?" + q, { credentials: "omit" }) :
      fetch(api, { method: "POST", credentials: "omit", headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ site: d.site, urls: urls }) });
    asked.then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (body) {
      if (!body) return;
      // In the service's words ("2 comments"): the loader holds none of its own.
      els.forEach(function (el) { el.textContent = body.labels[el.getAttribute("data-comment-count-url")]; });
    }).catch(function () { /* counts are a nicety */ });
  }

  var host = document.getElementById("comments");
  // A list of posts with counts and no place for a thread is not an article.
  if (!host && counted.length) return;

  var url = d.url || content('link[rel="canonical"]', "href") || location.href.split("#")[0];
  var title = d.title || content('meta[property="og:title"]', "content") || document.title || "";
  var params = {
    site: d.site,
    url: url,
    title: title.slice(0, 300),
    parent: location.origin,
    theme: d.theme || "auto"
  };
  // A permalink (#comment-123) opened on the blog: the iframe highlights it and asks to be scrolled.
  var hash = /^#comment-\d+$/.test(location.hash) ? location.hash.slice(1) : "";
  if (hash) params.hl = hash;

  var frame = document.createElement("iframe");
  frame.src = service + "/embed/thread?" + new URLSearchParams(params);
  frame.title = "Comments";
  frame.setAttribute("scrolling", "no");
  frame.style.cssText =
    "display:block;width:100%;min-width:100%;height:360px;border:0;overflow:hidden;color-scheme:normal";

  if (host && !host.querySelector("iframe[data-comment-widget]")) host.appendChild(frame);
  else if (!host) script.parentNode.insertBefore(frame, script.nextSibling);
  else return;
  frame.setAttribute("data-comment-widget", "");

  // A permalink clicked inside the thread changes only this page's #fragment.
  window.addEventListener("hashchange", function () {
    if (/^#comment-\d+$/.test(location.hash) && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: "widget:highlight", id: location.hash.slice(1) }, service);
    }
  });

  window.addEventListener("message", function (event) {
    // Believe only our own iframe, speaking from the service's origin.
    if (event.source !== frame.contentWindow || event.origin !== service) return;
    var m = event.data;
    if (!m || typeof m !== "object") return;
    if (m.type === "widget:resize" && typeof m.height === "number" && m.height >= 0) {
      frame.style.height = Math.ceil(m.height) + "px";
    } else if (m.type === "widget:scroll" && typeof m.top === "number") {
      window.scrollTo(0, frame.getBoundingClientRect().top + window.pageYOffset + m.top - 16);
    }
  });
})();
