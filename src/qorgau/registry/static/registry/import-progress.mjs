// The progress of a case import (registry/case_import_job.html): asks the job's status (JSON)
// every second, moves the bar and its text, and shows the outcome by reloading the page when the
// import has ended. A module file, not an inline script: the Content-Security-Policy allows only
// 'self'. Without scripts the page refreshes itself (a meta refresh in <noscript>).
const box = document.querySelector("[data-import-status]");
const INTERVAL_MS = 1000;

async function poll() {
  let state;
  try {
    const response = await fetch(box.dataset.importStatus, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    });
    if (!response.ok) throw new Error(String(response.status));
    state = await response.json();
  } catch {
    window.setTimeout(poll, INTERVAL_MS * 5); // the server is busy or away: ask again later
    return;
  }
  if (state.finished) {
    window.location.reload();
    return;
  }
  const bar = document.getElementById("import-progress");
  if (state.total > 0) {
    bar.max = state.total;
    bar.value = state.done;
  }
  bar.textContent = state.text;
  document.getElementById("import-progress-text").textContent = state.text;
  document.getElementById("import-label").textContent = state.label;
  const queued = document.getElementById("import-queued");
  if (queued && state.status !== "queued") queued.hidden = true;
  window.setTimeout(poll, INTERVAL_MS);
}

if (box) {
  window.setTimeout(poll, INTERVAL_MS);
}
