// Starts GOV.UK Frontend's components (menu toggle, error summary focus, skip link…) on the staff
// pages. A module file, not an inline script: the Content-Security-Policy allows only 'self'.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// A button or link marked data-confirm asks before an irreversible step (the server refuses a
// step that is not allowed in any case; this only guards against a slip of the finger).
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});
