/* The admin's boxes that scroll (inline tables on a phone) can be reached and scrolled with the
   keyboard: each gets tabindex="0" (WCAG 2.1.1; axe's scrollable-region-focusable). */
(function () {
  "use strict";
  function reachable() {
    var all = document.querySelectorAll("#content *");
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      var style = window.getComputedStyle(el);
      var scrolls = /(auto|scroll)/.test(style.overflowX + " " + style.overflowY);
      if (scrolls && !el.hasAttribute("tabindex") && !el.matches("a, button, input, select, textarea")) {
        el.setAttribute("tabindex", "0");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", reachable);
})();
