// Small page-level behaviour; everything works without it.
document.addEventListener("DOMContentLoaded", () => {
  // A table wider than the screen says so: "左右滑动查看更多" under it.
  const hintTables = () => {
    for (const box of document.querySelectorAll(".table-scroll")) {
      const wide = box.scrollWidth > box.clientWidth + 1;
      let hint = box.nextElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        if (!wide) continue;
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = box.dataset.scrollHint || "← 表格较宽，左右滑动查看更多 →";
        box.after(hint);
      }
      hint.classList.toggle("shown", wide);
    }
  };
  hintTables();
  window.addEventListener("resize", hintTables);
  document.body.addEventListener("htmx:afterSwap", hintTables);
  // Filters folded away on a phone (<details data-open-wide>) are open where there is
  // room. Their summary counts the filters chosen, as the server wrote it on a whole
  // page: a filter chosen in place (htmx) is counted at once, so that a closed fold
  // still says that the list below is narrowed.
  const wide = window.matchMedia("(min-width: 48rem)").matches;
  for (const details of document.querySelectorAll("details[data-open-wide]")) {
    if (wide) details.open = true;
    const summary = details.querySelector("summary[data-some]");
    if (!summary) continue;
    details.addEventListener("change", () => {
      let chosen = 0;
      for (const field of details.querySelectorAll(".field")) {
        const named = field.querySelectorAll("select[name], input[name]");
        if ([...named].some((control) => control.value.trim() !== "")) chosen++;
      }
      summary.textContent = chosen ? summary.dataset.some.replace("{n}", chosen) : summary.dataset.none;
    });
  }
  // Print views: the button prints the page.
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  // The phone menu.
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("open", !open);
    });
  }
  // The unit picker (wenzheng/units/forms.py): a box above the grouped list of units
  // hides the units whose name does not hold what is typed, its characters in order,
  // so that the usual short names find their unit (住建局 → 县住房和城乡建设局,
  // 人社 → 县人力资源和社会保障局); one left is chosen.
  const holds = (name, typed) => {
    let i = 0;
    for (const ch of name) {
      if (i < typed.length && ch === typed[i]) i++;
    }
    return i === typed.length;
  };
  for (const select of document.querySelectorAll("select[data-unit-picker]")) {
    const box = document.createElement("input");
    box.type = "search";
    box.className = "unit-filter";
    box.placeholder = select.dataset.unitPicker;
    box.setAttribute("aria-label", select.dataset.unitPicker);
    if (select.id) box.setAttribute("aria-controls", select.id);
    select.before(box);
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();  // choosing, not submitting
    });
    box.addEventListener("input", () => {
      const words = [...box.value.replace(/\s+/g, "")];
      const shown = [];
      for (const option of select.options) {
        if (!option.value) continue;
        option.hidden = !holds([...option.text], words);
        if (!option.hidden) shown.push(option);
      }
      for (const group of select.querySelectorAll("optgroup")) {
        group.hidden = [...group.children].every((option) => option.hidden);
      }
      if (words.length && shown.length === 1) {
        select.value = shown[0].value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }
  // An unsure routing suggestion (topics/_suggestion.html) dispatches nothing: its
  // button picks the suggested unit in the message's own dispatch form, to be checked
  // and sent there.
  for (const button of document.querySelectorAll("button[data-pick-unit]")) {
    const select = document.getElementById(button.dataset.pickUnit);
    if (!select) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const filter = select.previousElementSibling;
      if (filter && filter.classList.contains("unit-filter") && filter.value) {
        filter.value = "";
        filter.dispatchEvent(new Event("input"));
      }
      select.value = button.dataset.unit;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      const panel = select.closest("details");
      if (panel) panel.open = true;
      select.scrollIntoView({ block: "center" });
      select.focus();
    });
  }
  // The unit picker of a city (wenzheng/units/forms.py): a box that asks
  // /units/search/ for the units whose name holds what is typed, and offers them.
  for (const box of document.querySelectorAll("input[data-unit-search]")) {
    const list = document.getElementById(box.getAttribute("list"));
    let timer = null;
    let asked = 0;
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++asked;
        const url = `${box.dataset.unitSearch}&q=${encodeURIComponent(box.value.trim())}`;
        try {
          const response = await fetch(url, { headers: { Accept: "application/json" } });
          if (!response.ok || mine !== asked) return;
          const { results } = await response.json();
          list.replaceChildren(...results.map((unit) => new Option(unit.label, unit.label)));
        } catch (error) {
          // Offline or refused: the box still takes a typed name.
        }
      }, 150);
    });
  }
  // Forms that ask before an irreversible step: <form data-confirm="...">.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // Photos made smaller on the phone before they are sent: the server keeps at most
  // SHRINK_SIDE pixels on a side anyway (attachments.files.IMAGE_MAX_SIDE), and a
  // 16 MB photo from a phone's camera was refused as too large (a newcomer's trial),
  // or took minutes on a slow connection. Drawn upright (its EXIF orientation) and
  // encoded again; a file that cannot be read here, or would not get smaller, is
  // sent as it was, and the server checks everything as before.
  const SHRINK_SIDE = 2048;
  const SHRINK_FROM = 1.5 * 1024 * 1024;
  const PHOTO = /^image\/(jpeg|png|webp)$/;
  const shrunk = async (file) => {
    if (!PHOTO.test(file.type) || file.size <= SHRINK_FROM) return file;
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, SHRINK_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      const type = file.type === "image/png" ? "image/png" : "image/jpeg"; // a PNG keeps its transparency
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, type, 0.9));
      if (!blob || blob.size >= file.size) return file;
      const name = file.name.replace(/\.[^.]*$/, "") + (type === "image/png" ? ".png" : ".jpg");
      return new File([blob], name, { type, lastModified: file.lastModified });
    } catch {
      return file;
    }
  };
  const shrinking = new WeakMap(); // input → the promise of its files made smaller
  document.body.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !window.DataTransfer) return;
    const files = [...input.files];
    if (!files.some((file) => PHOTO.test(file.type) && file.size > SHRINK_FROM)) return;
    const done = (async () => {
      const chosen = new DataTransfer();
      // One at a time: nine photos of 48 megapixels decoded at once would not fit a phone's memory.
      for (const file of files) chosen.items.add(await shrunk(file));
      input.files = chosen.files;
      shrinking.delete(input);
    })();
    shrinking.set(input, done);
  });
  // Sent while photos are still being made smaller: sent once they are.
  document.body.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const pending = [...form.querySelectorAll("input[type=file]")].map((input) => shrinking.get(input)).filter(Boolean);
    if (!pending.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter;
    Promise.all(pending).then(() => form.requestSubmit(submitter && submitter.form === form ? submitter : undefined));
  });
  // A form sending photos or documents: nine phone photos take many seconds on a
  // slow connection, and a button that seemed to do nothing was pressed again.
  // Once on its way it says so beside its button, and a second press sends nothing.
  // (The button is not disabled: a disabled submitter would not send its own value.)
  document.body.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || form.enctype !== "multipart/form-data") return;
    const chosen = [...form.querySelectorAll("input[type=file]")].some((input) => input.files.length > 0);
    if (!chosen) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "true";
    form.setAttribute("aria-busy", "true");
    const button = event.submitter || form.querySelector("[type=submit]");
    const status = document.createElement("p");
    status.className = "sending";
    status.setAttribute("role", "status");
    status.textContent = document.documentElement.dataset.sending || "";
    (button || form.lastElementChild).after(status);
  });
  // What is typed into a form's text boxes (and a message's title) is kept in this tab
  // (sessionStorage, gone with the tab) until the server says it arrived (a success
  // note, or the page a message lands on): a staff session that timed out while a
  // reply was written (sent, then signed in again, back on the message's page) or a
  // form refused for a lost cookie would otherwise lose it. Kept two hours, for the
  // one who typed it (data-draft-owner: a signed-in page of someone else's drops it,
  // a page signed out keeps it without showing it), and dropped at 退出 (a shared
  // office computer).
  //
  // Found again on the page, it is put back and said so above its box: into an empty
  // box; over the text the server filled in (a reply the leader sent back, being
  // rewritten when the session ended: the rewrite was lost without a word), with a
  // button back to the server's text; and when the server's text has changed since
  // the typing began (someone else saved a newer one), not put back but offered.
  const DRAFT = "wz-draft:";
  const KEPT = "form[method=post] textarea[name], form[method=post] input[name=title]";
  const words = document.documentElement.dataset;
  const owner = words.draftOwner || "";
  const draftKey = (box) => `${DRAFT}${location.pathname}|${box.form.getAttribute("action") || ""}|${box.name}`;
  const TWO_HOURS = 2 * 3600 * 1000;
  // When it was typed, as people say it: 10:42, or 3月5日 23:50 before today.
  const typedAt = (at) => {
    const when = new Date(at);
    const time = when.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
    if (when.toDateString() === new Date().toDateString()) return time;
    return `${when.getMonth() + 1}月${when.getDate()}日 ${time}`;
  };
  try {
    const store = window.sessionStorage;
    const arrived = document.querySelector(".alert-success, [data-drafts-done]");
    for (const key of Object.keys(store)) {
      if (!key.startsWith(DRAFT)) continue;
      const kept = JSON.parse(store.getItem(key));
      const othersOwn = owner && (kept.owner || "") !== owner;
      if ((kept.sent && arrived) || othersOwn || Date.now() - kept.at > TWO_HOURS) store.removeItem(key);
    }
    const keep = (box, kept, changes) => store.setItem(draftKey(box), JSON.stringify({ ...kept, ...changes }));
    // The note above a box, saying what it holds, with a button to switch.
    const noteAbove = (box) => {
      const note = document.createElement("div");
      note.className = "alert draft-restored";
      note.setAttribute("role", "status");
      box.before(note);
      return note;
    };
    const say = (note, level, text, button, onClick) => {
      note.classList.toggle("alert-info", level === "info");
      note.classList.toggle("alert-warning", level === "warning");
      const sentence = document.createElement("span");
      sentence.textContent = text;
      note.replaceChildren(sentence);
      if (!button) return;
      const switching = document.createElement("button");
      switching.type = "button";
      switching.className = "btn quiet draft-switch";
      switching.textContent = button;
      switching.addEventListener("click", onClick);
      note.append(switching);
    };
    for (const box of document.querySelectorAll(KEPT)) {
      const key = draftKey(box);
      const kept = JSON.parse(store.getItem(key) || "null");
      const saved = box.defaultValue; // what the server filled in
      if (kept && (kept.owner || "") === owner && kept.text.trim() && kept.text !== box.value) {
        const at = (text) => text.replace("{time}", typedAt(kept.at));
        const note = noteAbove(box);
        const panel = box.closest("details");
        if (panel) panel.open = true;
        // Put back, it is unsent again (a success note for another form does not drop
        // it), and now typed over what the server has.
        const useKept = () => {
          box.value = kept.text;
          keep(box, kept, { sent: false, base: saved });
          say(note, "warning", at(words.draftReplaced || ""), words.draftUseSaved, useSaved);
        };
        const useSaved = () => {
          box.value = saved;
          store.removeItem(key); // the server's text chosen: nothing of theirs to keep
          say(note, "info", words.draftReverted || "", words.draftUseKept, useKept);
          box.focus();
        };
        if (!saved.trim()) {
          box.value = kept.text;
          keep(box, kept, { sent: false, base: saved });
          say(note, "info", at(words.draftRestored || ""));
        } else if (kept.base === undefined || kept.base === saved) {
          useKept();
        } else {
          // The server's text changed since they began typing: theirs is offered, not forced.
          say(note, "warning", at(words.draftDiffers || ""), words.draftUseKept, useKept);
        }
      }
      // `base`: the server's text the typing was done over.
      box.addEventListener("input", () => {
        store.setItem(key, JSON.stringify({ text: box.value, at: Date.now(), sent: false, owner, base: saved }));
      });
    }
    // The sign-in page reached from a page whose form was sent as the session ended
    // (`next`): said there only when something typed on that page is kept here.
    const waiting = document.querySelector("[data-drafts-waiting]");
    if (waiting) {
      const next = waiting.dataset.draftsWaiting.split("?")[0];
      const held = Object.keys(store).some((key) => {
        if (!key.startsWith(DRAFT)) return false;
        const [page, action] = key.slice(DRAFT.length).split("|");
        const kept = JSON.parse(store.getItem(key));
        return (page === next || action === next) && kept.text.trim() !== "";
      });
      waiting.hidden = !held;
    }
    document.body.addEventListener("submit", (event) => {
      if (event.defaultPrevented || !(event.target instanceof HTMLFormElement)) return;
      if (event.target.hasAttribute("data-drafts-end")) {
        for (const key of Object.keys(store)) if (key.startsWith(DRAFT)) store.removeItem(key);
        return;
      }
      for (const box of event.target.querySelectorAll("textarea[name], input[name=title]")) {
        const kept = JSON.parse(store.getItem(draftKey(box)) || "null");
        if (kept !== null) keep(box, kept, { text: box.value, at: Date.now(), sent: true });
      }
    });
  } catch (error) {
    // No storage here (a private window, a full quota): the forms work as before.
  }
  // The period picker (reports.widgets.PeriodPicker): typing a period in its box
  // chooses 其他期间 (the last choice), so what is typed is what is asked for; choosing
  // a listed period empties the box. (Found by a newcomer: a range typed beside
  // 2026年第四季度 was ignored without a word.)
  for (const picker of document.querySelectorAll(".period-picker")) {
    const choice = picker.querySelector("select");
    const box = picker.querySelector("input");
    if (!choice || !box) continue;
    box.addEventListener("input", () => {
      if (box.value.trim()) choice.selectedIndex = choice.options.length - 1;
    });
    choice.addEventListener("change", () => {
      if (choice.selectedIndex !== choice.options.length - 1) box.value = "";
    });
  }
  // Back to a page kept by the browser (the back button after sending): ready again.
  window.addEventListener("pageshow", () => {
    for (const form of document.querySelectorAll("form[data-sending]")) {
      delete form.dataset.sending;
      form.removeAttribute("aria-busy");
      form.querySelectorAll(".sending").forEach((status) => status.remove());
    }
  });
});
// After htmx swaps content in, move focus to it so screen readers announce it.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (target && target.dataset.focusOnSwap !== undefined) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
});
// A form or link read in-page that the server refused (a 400 for a NUL pasted into
// the search box, a 404 for a page that is gone): htmx swaps nothing for it, and the
// tap seemed to do nothing. Load it as a whole page instead, which shows the
// server's own message. (Not a poll: it keeps its last state.)
document.addEventListener("htmx:responseError", (event) => {
  const info = event.detail;
  const asked = info.elt && info.elt.closest && info.elt.closest("form, a");
  if (asked && info.requestConfig && info.requestConfig.verb === "get" && info.pathInfo) {
    window.location.assign(info.pathInfo.finalRequestPath);
  }
});
