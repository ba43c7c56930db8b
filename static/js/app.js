// Small behaviours that htmx does not cover. No inline scripts: the CSP forbids them.
document.addEventListener("click", (event) => {
  // Close an open dropdown menu when the user clicks elsewhere or picks an entry.
  for (const menu of document.querySelectorAll("details.dropdown[open]")) {
    if (!menu.contains(event.target) || event.target.closest("a")) menu.removeAttribute("open");
  }
});


document.addEventListener("htmx:afterRequest", (event) => {
  // A switch whose change was refused goes back to the state the server still has.
  const element = event.detail.elt;
  if (!event.detail.successful && element.matches("input[type=checkbox]")) {
    element.checked = !element.checked;
  }
});
