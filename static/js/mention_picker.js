// The @ picker: in a textarea with data-mention-url (the comment box, the editor),
// typing "@" and a few letters lists the people that text may mention, under the caret.
// ArrowDown/ArrowUp move, Enter or Tab picks, Escape closes, a click picks; picking
// replaces "@ka" with the mention the server gives ("@Katalin Nagy "). While the list
// is closed every key does what it always does: Enter starts a new line.
// data-mention-fields names form fields sent along (the new document's region_id).
(() => {
  // The page's words in the reader's language (app.js's said()), else English.
  const say = (key, english, values) => (window.said ? window.said(key, english, values) : english);

  const DELAY_MS = 150;
  // An @ that starts the text or follows a space or punctuation (not an e-mail
  // address), then a letter or digit and at most one more word: "@Lucía G".
  const TOKEN = /(?:^|[\s(\[{<>"'“‘«,;:!?*_~])@([\p{L}\p{N}][^\s@]*(?: [^\s@]+)?)$/u;
  // What the mirror copies so its text wraps exactly as the textarea's does.
  const MIRRORED = [
    "boxSizing", "width", "borderTopWidth", "borderRightWidth", "borderBottomWidth",
    "borderLeftWidth", "paddingTop", "paddingRight", "paddingBottom", "paddingLeft",
    "fontFamily", "fontSize", "fontWeight", "fontStyle", "fontVariant", "letterSpacing",
    "lineHeight", "textTransform", "textIndent", "wordSpacing", "tabSize",
  ];

  let field = null; // the textarea the list belongs to, while open
  let list = null;
  let status = null;
  let people = [];
  let active = -1;
  let start = -1; // where the "@" of the text being completed is
  let dismissed = -1; // an "@" whose list Escape closed: it stays closed
  let timer = 0;
  let asked = 0; // answers to older questions are dropped

  function statusRegion() {
    // One polite live region, there before it speaks (hx-boost replaces the body).
    if (!status || !status.isConnected) {
      status = document.createElement("div");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      document.body.append(status);
    }
    return status;
  }

  function listbox() {
    if (!list || !list.isConnected) {
      list = document.createElement("ul");
      list.id = "mention-picker";
      list.className = "mention-picker";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", say("mentionList", "People to mention"));
      list.hidden = true;
      // Keep the focus (and the caret) in the textarea while a person is clicked.
      list.addEventListener("mousedown", (event) => event.preventDefault());
      list.addEventListener("click", (event) => {
        const option = event.target.closest("[role=option]");
        if (option) pick(Number(option.dataset.index));
      });
      document.body.append(list);
    }
    return list;
  }

  function typed(textarea) {
    // The "@…" right before the caret, or null.
    if (textarea.selectionStart !== textarea.selectionEnd) return null;
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = TOKEN.exec(before.slice(-80));
    if (!match) return null;
    return { start: before.length - match[1].length - 1, query: match[1] };
  }

  function close() {
    clearTimeout(timer);
    asked += 1;
    if (list) list.hidden = true;
    if (field) {
      for (const name of ["role", "aria-expanded", "aria-controls", "aria-activedescendant", "aria-autocomplete"]) {
        field.removeAttribute(name);
      }
    }
    field = null;
    people = [];
    active = -1;
  }

  function update(textarea) {
    const token = typed(textarea);
    if (!token || token.start === dismissed) {
      if (!token) dismissed = -1;
      if (field === textarea) close();
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => ask(textarea, token), DELAY_MS);
  }

  async function ask(textarea, token) {
    const question = ++asked;
    const url = new URL(textarea.dataset.mentionUrl, window.location.href);
    url.searchParams.set("q", token.query);
    for (const name of (textarea.dataset.mentionFields || "").split(" ").filter(Boolean)) {
      const input = textarea.form && textarea.form.elements.namedItem(name);
      if (input) url.searchParams.set(name, input.value);
    }
    let found = [];
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) found = (await response.json()).people;
    } catch {
      // Offline or signed out: no list, and typing goes on as usual.
    }
    if (question !== asked || document.activeElement !== textarea) return;
    if (!found.length) {
      if (field === textarea) close();
      // Said only for a single word: after "@Ana thanks", silence.
      if (!token.query.includes(" ")) statusRegion().textContent = say("mentionNone", "No people found");
      return;
    }
    open(textarea, token.start, found);
  }

  function open(textarea, at, found) {
    if (field && field !== textarea) close();
    field = textarea;
    start = at;
    people = found;
    active = -1;
    const box = listbox();
    box.replaceChildren(
      ...found.map((person, index) => {
        const option = document.createElement("li");
        option.id = `mention-picker-${index}`;
        option.dataset.index = String(index);
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const name = document.createElement("span");
        name.textContent = person.name;
        option.append(name);
        if (person.partner) {
          const partner = document.createElement("small");
          partner.textContent = person.partner;
          option.append(" ", partner);
        }
        return option;
      }),
    );
    textarea.setAttribute("role", "combobox");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-expanded", "true");
    textarea.setAttribute("aria-controls", box.id);
    textarea.removeAttribute("aria-activedescendant");
    box.hidden = false;
    place(textarea, box);
    statusRegion().textContent = say("mentionFound", "People found: {num}", { num: found.length });
  }

  function caret(textarea, position) {
    // Where the caret is inside the textarea: a hidden copy that wraps the same way.
    const style = window.getComputedStyle(textarea);
    const mirror = document.createElement("div");
    for (const name of MIRRORED) mirror.style[name] = style[name];
    mirror.style.position = "absolute";
    mirror.style.visibility = "hidden";
    mirror.style.whiteSpace = "pre-wrap";
    mirror.style.overflowWrap = "break-word";
    mirror.style.top = "0";
    mirror.style.left = "-9999px";
    mirror.textContent = textarea.value.slice(0, position);
    // The rest of the text goes in the marker, so that a word wraps as in the textarea.
    const marker = document.createElement("span");
    marker.textContent = textarea.value.slice(position) || "\u200b";
    mirror.append(marker);
    document.body.append(mirror);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const point = { top: marker.offsetTop, left: marker.offsetLeft, height: line };
    mirror.remove();
    return point;
  }

  function place(textarea, box) {
    // Under the line being typed (above it when the window has more room there), kept
    // inside the textarea's height and the page's width.
    const rect = textarea.getBoundingClientRect();
    const point = caret(textarea, start);
    const lineTop = rect.top + Math.max(point.top - textarea.scrollTop, 0);
    const lineBottom = Math.min(lineTop + point.height, rect.bottom);
    const below = window.innerHeight - lineBottom;
    const above = box.offsetHeight + 8 > below && lineTop > below;
    const top = above ? lineTop - box.offsetHeight - 4 : lineBottom + 4;
    const page = document.documentElement.clientWidth;
    const left = Math.min(rect.left + point.left - textarea.scrollLeft, page - box.offsetWidth - 8);
    box.style.top = `${window.scrollY + top}px`;
    box.style.left = `${window.scrollX + Math.max(left, 8)}px`;
  }

  function highlight(index) {
    active = index;
    for (const option of list.children) {
      option.setAttribute("aria-selected", String(Number(option.dataset.index) === index));
    }
    const option = list.children[index];
    field.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function pick(index) {
    const person = people[index];
    const textarea = field;
    if (!person || !textarea) return;
    const end = textarea.selectionStart;
    // No second space when one follows already.
    const spaced = /\s/.test(textarea.value.charAt(end)) ? person.mention : `${person.mention} `;
    textarea.setRangeText(spaced, start, end, "end");
    if (spaced === person.mention) textarea.selectionStart = textarea.selectionEnd = start + spaced.length + 1;
    close();
    dismissed = -1;
    textarea.focus();
    statusRegion().textContent = say("mentionDone", "{name} mentioned", { name: person.name });
    // The preview and the unsaved-text warning listen for input.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("input", (event) => {
    if (event.target.matches("textarea[data-mention-url]")) update(event.target);
  });

  document.addEventListener("keydown", (event) => {
    if (!field || event.target !== field || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const count = people.length;
    if (event.key === "ArrowDown" && !event.shiftKey) {
      event.preventDefault();
      highlight((active + 1) % count);
    } else if (event.key === "ArrowUp" && !event.shiftKey) {
      event.preventDefault();
      highlight(active <= 0 ? count - 1 : active - 1);
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      dismissed = start;
      close();
    } else if (event.key === "Enter" || event.key === "Tab") {
      close(); // nothing chosen: a new line, or the next field, as always
    }
  });

  // The caret moved without typing (a click, Home, the arrows sideways): look again.
  document.addEventListener("keyup", (event) => {
    if (event.target === field && ["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) {
      update(field);
    }
  });
  document.addEventListener("click", (event) => {
    if (event.target === field) update(field);
  });
  document.addEventListener("focusout", (event) => {
    if (event.target === field) close();
  });
  // A comment posted by htmx replaces the form: its list goes with it. (The editor's
  // preview is swapped while typing too, and leaves the list alone.)
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (field && event.detail.target.contains(field)) close();
  });
})();
