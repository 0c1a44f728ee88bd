/* Quick exit, after GOV.UK's "Exit this page": the button, or Shift pressed three times (each
   press within 5 s of the last; Shift with another key does not count), hides the page at once
   and replaces it with a neutral site. Nothing is stored, nothing is sent. */
(function () {
  "use strict";
  var exitUrl = document.documentElement.getAttribute("data-exit-url");
  var status = document.getElementById("exit-status");
  var overlay = document.getElementById("exit-overlay");
  var presses = 0, last = 0, combined = false, timer = null;

  function announce(text) { status.textContent = text; }

  /* The self-check's answers must not come back with Back (nor stay behind the exit). */
  function clearAnswers() {
    var forms = document.querySelectorAll("form.check");
    for (var f = 0; f < forms.length; f++) { forms[f].reset(); }
  }

  function exitPage(event) {
    if (event) { event.preventDefault(); }
    document.body.classList.add("exiting");
    overlay.hidden = false;
    clearAnswers();
    announce(status.getAttribute("data-exiting"));
    window.location.replace(exitUrl);
  }

  var links = document.querySelectorAll("[data-exit]");
  for (var i = 0; i < links.length; i++) { links[i].addEventListener("click", exitPage); }

  document.addEventListener("keydown", function (event) {
    /* A key was pressed: there is a keyboard, so the Shift hint is worth showing. */
    document.documentElement.classList.add("has-keyboard");
    if (event.key !== "Shift") { combined = true; presses = 0; return; }
    if (!event.repeat) { combined = false; }
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { return; }
    if (combined) { combined = false; presses = 0; return; }
    var now = Date.now();
    if (now - last > 5000) { presses = 0; }
    presses += 1;
    last = now;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; announce(""); }, 5000);
    if (presses === 1) { announce(status.getAttribute("data-one")); }
    else if (presses === 2) { announce(status.getAttribute("data-two")); }
    else { presses = 0; exitPage(); }
  });

  /* Coming back with Back: the page is usable again, and the self-check is blank. */
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.body.classList.remove("exiting");
      overlay.hidden = true;
      presses = 0;
      announce("");
      clearAnswers();
    }
  });
})();
