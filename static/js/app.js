// Small behaviours that htmx does not cover. No inline scripts: the CSP forbids them.
document.addEventListener("click", (event) => {
  // Close an open dropdown menu when the user clicks elsewhere or picks an entry.
  for (const menu of document.querySelectorAll("details.dropdown[open]")) {
    if (!menu.contains(event.target) || event.target.closest("a")) menu.removeAttribute("open");
  }
});


// The same menus by keyboard: Escape closes the open one and gives the focus back to its
// summary; tabbing out of a menu closes it, so an open list never covers the page below.
document.addEventListener("keydown", (event) => {
  const menu = event.key === "Escape" && event.target.closest("details.dropdown[open]");
  if (menu) {
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  }
});

document.addEventListener("focusout", (event) => {
  const menu = event.target.closest("details.dropdown[open]");
  if (menu && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.removeAttribute("open");
});

document.addEventListener("htmx:afterRequest", (event) => {
  // A switch whose change was refused goes back to the state the server still has.
  const element = event.detail.elt;
  if (!event.detail.successful && element.matches("input[type=checkbox]")) {
    element.checked = !element.checked;
  }
});

// Editors: Ctrl/Cmd+S saves, and leaving with unsaved text asks first. A form sent
// back with a conflict or an error holds text that is not saved yet: it starts dirty.
let unsavedForm = document.querySelector("form[data-unsaved-warning][data-unsaved]");

document.addEventListener("input", (event) => {
  const form = event.target.closest("form[data-unsaved-warning]");
  if (form) unsavedForm = form;
});

document.addEventListener("submit", (event) => {
  if (event.target === unsavedForm) unsavedForm = null;
  if (event.target.matches("form[data-unsaved-warning]")) event.target.dataset.submitting = "1";
});

document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    const form = document.querySelector("form[data-unsaved-warning]");
    if (form) {
      event.preventDefault();
      // A held or repeated key must not send the form twice.
      if (!event.repeat && !form.dataset.submitting) form.requestSubmit();
    }
  }
});

window.addEventListener("beforeunload", (event) => {
  if (unsavedForm && document.body.contains(unsavedForm)) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// What the page says in the reader's language (#js-texts in base.html), else English.
function said(key, english, values = {}) {
  const texts = document.getElementById("js-texts");
  const text = (texts && texts.dataset[key]) || english;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}
window.said = said;

document.addEventListener("htmx:confirm", (event) => {
  // A boosted link would leave the page without a beforeunload: ask here.
  const leaving = event.detail.elt.matches("a[href]") && unsavedForm;
  if (leaving && document.body.contains(unsavedForm)) {
    if (!window.confirm(said("unsaved", "Your text is not saved. Leave this page anyway?"))) {
      event.preventDefault();
      return;
    }
    unsavedForm = null;
  }
});

// A table wider than its box scrolls inside it: keyboards reach it (a tab stop) and
// screen readers hear what it holds (a region named by its caption or heading).
function markScrollingTables(root) {
  for (const box of root.querySelectorAll(".table-wrap")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      const table = box.querySelector("table");
      const caption = table && table.querySelector("caption");
      const section = box.closest("article, section");
      const heading = section && section.querySelector("h1, h2, h3, h4, header");
      const name = ((caption || heading || {}).textContent || "").trim();
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (name) box.setAttribute("aria-label", name.replace(/\s+/g, " "));
      box.dataset.scrolls = "1";
    } else if (!scrolls && box.dataset.scrolls) {
      for (const name of ["tabindex", "role", "aria-label", "data-scrolls"]) box.removeAttribute(name);
    }
  }
}
document.addEventListener("htmx:load", (event) => markScrollingTables(event.detail.elt.parentNode || document));
window.addEventListener("resize", () => markScrollingTables(document));

// After an htmx swap the focused control may be gone: replaced by a copy (htmx finds it
// again only by id, and not at all when hx-disabled-elt had disabled it) or removed. The
// focus then falls to the page body and a keyboard user starts again from the top. Put it
// back on the new copy of that control, or else on the swapped region that held it.
const focusAtRequest = new WeakMap();

document.addEventListener("htmx:beforeRequest", (event) => {
  focusAtRequest.set(event.detail.elt, document.activeElement);
});

function sameControl(old, candidate) {
  return candidate.tagName === old.tagName && candidate.name === old.name
    && candidate.value === old.value && candidate.textContent.trim() === old.textContent.trim()
    && (candidate.form && candidate.form.action) === (old.form && old.form.action)
    && !candidate.disabled && candidate.getClientRects().length > 0;
}

document.addEventListener("htmx:afterSettle", (event) => {
  const asker = event.detail.requestConfig && event.detail.requestConfig.elt;
  const before = asker && focusAtRequest.get(asker);
  const lost = !document.activeElement || document.activeElement === document.body;
  // A boosted link or form loads a new page: the focus starts at its top, as on any page.
  if (!before || before === document.body || !lost || event.detail.boosted) return;
  const region = event.target;
  const again = (before.isConnected && before) || (before.id && document.getElementById(before.id))
    || [...region.querySelectorAll(before.tagName)].find((each) => sameControl(before, each));
  if (again) again.focus({ preventScroll: true });
  if (document.activeElement === again) return;
  if (region.id && before.closest(`#${CSS.escape(region.id)}`)) {
    if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
    region.focus({ preventScroll: true });
  }
});

// The region menu scrolls sideways when it is wider than the screen: the current page's
// entry is brought into view (centred if it can be), on a full load and after a boosted
// page swaps the menu in. Only the menu scrolls, never the page.
function showCurrentRegionLink() {
  const menu = document.querySelector(".region-nav nav");
  const current = menu && menu.querySelector("a[aria-current=page]");
  if (!current || menu.scrollWidth <= menu.clientWidth) return;
  const box = menu.getBoundingClientRect();
  const link = current.getBoundingClientRect();
  menu.scrollLeft += link.left - box.left - (box.width - link.width) / 2;
}

// A table that turns into labelled rows on a phone (class "rows-on-phone") is displayed as
// blocks there, and some browsers then stop reading it as a table: its elements keep their
// table roles explicitly.
const TABLE_ROLES = [
  ["table", "table"],
  ["thead, tbody, tfoot", "rowgroup"],
  ["tr", "row"],
  ["th[scope=col]", "columnheader"],
  ["th[scope=row]", "rowheader"],
  ["td", "cell"],
];

function keepTableRoles(root) {
  const tables = [...root.querySelectorAll("table.rows-on-phone")];
  const around = root.closest("table.rows-on-phone"); // a row swapped in, or the table itself
  if (around) tables.push(around);
  for (const table of tables) {
    for (const [selector, role] of TABLE_ROLES) {
      const own = table.matches(selector) ? [table] : [];
      for (const element of [...own, ...table.querySelectorAll(selector)]) {
        if (element.closest("table") === table && !element.hasAttribute("role")) {
          element.setAttribute("role", role);
        }
      }
    }
  }
}

// On a full load (htmx fires this for the body) and for whatever a swap brings in.
document.addEventListener("htmx:load", (event) => {
  const added = event.target;
  if (added.matches(".region-nav, :has(.region-nav)")) showCurrentRegionLink();
  keepTableRoles(added);
});
