// brand-monitor desk: keyboard triage and small conveniences. The pages work without it.
"use strict";

(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  function rows() {
    return Array.from(document.querySelectorAll("#mentions li.mention"));
  }

  function current() {
    return document.querySelector("#mentions li.mention.selected");
  }

  function select(row) {
    if (!row) return;
    rows().forEach((r) => r.classList.remove("selected"));
    row.classList.add("selected");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(current());
    const next = index === -1 ? 0 : Math.min(Math.max(index + step, 0), all.length - 1);
    select(all[next]);
  }

  async function setState(row, state) {
    const response = await fetch(`/api/v1/mentions/${row.dataset.id}`, {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({ state: state }),
    });
    if (!response.ok) {
      row.classList.add("failed");
      return;
    }
    const mention = await response.json();
    const badge = row.querySelector(".badge.state");
    if (badge) {
      badge.className = `badge state state-${mention.state}`;
      badge.textContent = mention.state.replace("_", " ");
    }
    row.classList.add("is-done");
    row.dataset.state = mention.state;
    move(1);
  }

  function typing(event) {
    const target = event.target;
    return target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName));
  }

  document.addEventListener("keydown", (event) => {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!document.getElementById("mentions")) return;
    const row = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "e": if (row) setState(row, "seen"); break;
      case "r": if (row) setState(row, "needs_reply"); break;
      case "m": if (row) window.location.href = `/mentions/${row.dataset.id}?mute=author#mute`; break;
      case "o": case "Enter": if (row) window.location.href = `/mentions/${row.dataset.id}`; break;
      case "x": {
        const box = row?.querySelector("input.pick");
        if (box) box.checked = !box.checked;
        break;
      }
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    const row = event.target instanceof Element ? event.target.closest("li.mention") : null;
    if (row) select(row);
  });

  document.addEventListener("DOMContentLoaded", () => {
    const all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", () => {
        document.querySelectorAll("input.pick").forEach((box) => { box.checked = all.checked; });
      });
    }
    const first = rows()[0];
    if (first) first.classList.add("selected");
  });
})();
