// arrears: keyboard shortcuts and confirmations, nothing else. A control with
// data-shortcut="n" is clicked (or focused, for a field) when its key is pressed
// outside a text field; data-confirm asks before a form is sent.
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var control = document.querySelector('[data-shortcut="' + event.key + '"]');
    if (!control) return;
    event.preventDefault();
    if (control.matches("input, select, textarea")) control.focus(); else control.click();
  });
  document.addEventListener("submit", function (event) {
    var ask = event.target.getAttribute("data-confirm");
    if (ask && !window.confirm(ask)) event.preventDefault();
  });
})();
