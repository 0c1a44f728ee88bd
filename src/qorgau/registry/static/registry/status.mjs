// The status form of the case page: the grounds select shows only the grounds of the chosen
// status (each <optgroup> names its status in data-status), and is hidden for a status that
// takes none. Without this script every ground of the allowed statuses is offered and the
// server refuses a ground of another status, next to the grounds field.
for (const grounds of document.querySelectorAll("select[data-grounds-for]")) {
  const status = document.getElementById(grounds.dataset.groundsFor);
  if (!status) continue;
  const group = grounds.closest(".govuk-form-group");
  const update = () => {
    let offered = false;
    for (const optgroup of grounds.querySelectorAll("optgroup")) {
      const mine = optgroup.dataset.status === status.value;
      optgroup.hidden = !mine;
      optgroup.disabled = !mine;
      offered = offered || mine;
    }
    const chosen = grounds.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) grounds.value = "";
    if (group) group.hidden = !offered && !grounds.value;
  };
  status.addEventListener("change", update);
  update();
}
