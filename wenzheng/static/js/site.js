// Small page-level behaviour; everything works without it.
document.addEventListener("DOMContentLoaded", () => {
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
  // Forms that ask before an irreversible step: <form data-confirm="...">.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
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
