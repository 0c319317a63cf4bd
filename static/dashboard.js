// The dashboard works without this; with it, "select all" in the queue and copy buttons.
(function () {
  "use strict";

  var all = document.getElementById("select-all");
  if (all) {
    var boxes = document.querySelectorAll('input[type=checkbox][name="comment"]');
    all.hidden = false;
    document.getElementById("select-all-label").hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.value !== undefined ? source.value : source.textContent;
      navigator.clipboard.writeText(text).then(function () {
        var label = button.textContent;
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
})();
