// In-page notices (a polite live region) and browser notifications when the user allowed them.
import { $, h } from "./dom.js";

const TOAST_MS = 8000;
const MAX_TOASTS = 3;

/** Shows a notice; kind is "info", "success" or "error". An action is {label, run}. */
export function toast(message, { kind = "info", action = null, ms = null } = {}) {
  const close = () => item.remove();
  const item = h(
    "div",
    { class: `toast toast--${kind}` },
    h("p", { class: "toast__text" }, message),
    action &&
      h(
        "button",
        {
          type: "button",
          class: "button button--link",
          onclick: () => {
            close();
            action.run();
          },
        },
        action.label,
      ),
    h(
      "button",
      { type: "button", class: "toast__close", "aria-label": "Dismiss notice", onclick: close },
      "×",
    ),
  );
  $(kind === "error" ? "alerts" : "notices").append(item);
  const shown = document.querySelectorAll(".toast");
  for (const old of [...shown].slice(0, Math.max(shown.length - MAX_TOASTS, 0))) old.remove();
  setTimeout(close, ms ?? (kind === "error" ? TOAST_MS * 2 : TOAST_MS));
}

export function canAskForNotifications() {
  return "Notification" in window && Notification.permission === "default";
}

export async function askForNotifications() {
  if (!("Notification" in window)) return "denied";
  return Notification.requestPermission();
}

export function notifyBrowser(title, body) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const notification = new Notification(title, { body, icon: "favicon.svg", tag: title + body });
    notification.addEventListener("click", () => {
      window.focus();
      notification.close();
    });
  } catch {
    // Some browsers only allow notifications from a service worker; the in-page notice remains.
  }
}
